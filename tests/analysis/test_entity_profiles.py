"""A profile page: the "About me" box is the user's fields, the posts under it are posts by the
user, and a comment box under each post is no field of the user."""

from flexos_mcp.analysis.entities import infer_entities

from helpers.entity_fixtures import page

POST = """<div class="post"><div class="user-block"><img src="u{n}.jpg"><span class="username"><a href="#">Sarah Ross</a></span>
  <span class="description">Shared publicly - 7:30 PM today</span></div>
  <p>Lorem ipsum represents a long-held tradition for designers and typographers.</p>
  <input class="form-control" type="text" placeholder="Type a comment"></div>"""

PROFILE = (
    """<h3 class="profile-username">Nina Mcintire</h3><p>Software Engineer</p>
  <div class="card"><div class="card-header"><h3 class="card-title">About Me</h3></div><div class="card-body">
  <strong><i class="fas fa-book"></i> Education</strong><p class="text-muted">B.S. in Computer Science from the University of Tennessee</p><hr>
  <strong><i class="fas fa-map-marker-alt"></i> Location</strong><p class="text-muted">Malibu, California</p></div></div>
  <ul class="nav"><li><a href="#activity">Activity</a></li></ul><div id="activity">"""
    + POST.format(n=1)
    + POST.format(n=2)
    + "</div>"
)


def test_a_profile_page_reads_about_me_and_posts():
    result = {e["entity_name"]: e for e in infer_entities([page("profile", "/profile", PROFILE)], [])}
    assert sorted(result) == ["Post", "User"]
    user = result["User"]["fields"]
    assert {"education", "location"} <= set(user)
    assert "type_a_comment" not in user  # the comment box under each post
    post = result["Post"]["fields"]
    assert post["body"]["type"] == "text"
    assert {"type": "belongs_to", "target_entity": "User", "foreign_key": "user_id", "inverse": "has_many"} in result[
        "Post"
    ]["relationships"]
