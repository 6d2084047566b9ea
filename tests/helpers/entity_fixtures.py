"""Hand-written mockups in the style coding agents produce (Tailwind classes everywhere, labels
wrapping inputs, icons in buttons), for the lesson-library example app."""

SIGNUP = """<!doctype html>
<html lang="en"><head><title>Join LessonHub</title><script src="https://cdn.tailwindcss.com"></script></head>
<body class="min-h-screen bg-slate-50 flex items-center justify-center">
  <main class="w-full max-w-md bg-white rounded-2xl shadow-lg p-8">
    <h1 class="text-2xl font-bold text-slate-900 mb-6">Create your account</h1>
    <form id="signup-form" class="space-y-5" action="/signup" method="post">
      <input type="hidden" name="csrf_token" value="abc123">
      <div>
        <label for="fullName" class="block text-sm font-medium text-slate-700">Full name *</label>
        <input id="fullName" name="fullName" type="text" required maxlength="120"
               class="mt-1 w-full rounded-lg border-slate-300 focus:ring-indigo-500" placeholder="Ada Lovelace">
      </div>
      <label class="block">
        <span class="text-sm font-medium text-slate-700">Email address</span>
        <input type="email" name="user[email]" required class="mt-1 w-full rounded-lg border-slate-300">
      </label>
      <label class="block">
        <span class="text-sm font-medium text-slate-700">Password</span>
        <input type="password" name="password" required minlength="8" class="mt-1 w-full rounded-lg">
      </label>
      <label class="block">
        <span class="text-sm font-medium">Confirm password</span>
        <input type="password" name="password_confirmation" required class="mt-1 w-full rounded-lg">
      </label>
      <label class="block">
        <span class="text-sm font-medium text-slate-700">I am a</span>
        <select name="role" required class="mt-1 w-full rounded-lg">
          <option value="" disabled selected>Choose a role…</option>
          <option value="teacher">Teacher</option>
          <option value="student">Student</option>
          <option value="parent">Parent</option>
        </select>
      </label>
      <label class="flex items-center gap-2 text-sm">
        <input type="checkbox" name="accept_terms" required class="rounded text-indigo-600">
        I agree to the <a href="/terms" class="text-indigo-600 underline">terms</a>
      </label>
      <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">
        <svg class="h-4 w-4 inline" viewBox="0 0 20 20"><path d="M0 0h20v20H0z"/></svg> Sign up
      </button>
    </form>
    <p class="mt-4 text-sm text-slate-500">Already have an account? <a href="/login" class="text-indigo-600">Log in</a></p>
  </main>
</body></html>"""

LOGIN = """<!doctype html><html><body class="bg-slate-50">
  <div class="mx-auto max-w-sm mt-24 bg-white p-8 rounded-xl shadow">
    <h1 class="text-xl font-semibold">Welcome back</h1>
    <form class="mt-6 space-y-4" method="post">
      <label class="block text-sm">Email<input type="email" name="email" required class="mt-1 block w-full rounded-md border-gray-300"></label>
      <label class="block text-sm">Password<input type="password" name="password" required class="mt-1 block w-full rounded-md"></label>
      <label class="inline-flex items-center gap-2 text-sm"><input type="checkbox" name="remember_me"> Remember me</label>
      <button class="w-full bg-indigo-600 text-white rounded-md py-2">Log in</button>
    </form>
  </div>
</body></html>"""

LESSONS = """<!doctype html><html><body class="bg-gray-50">
  <header class="bg-white shadow-sm"><nav class="max-w-7xl mx-auto flex gap-6 p-4">
    <a href="/lessons" class="font-bold text-indigo-600">LessonHub</a>
    <form role="search" class="ml-auto"><input type="search" name="q" placeholder="Search lessons" class="rounded-full px-4"></form>
    <img class="user-avatar h-8 w-8 rounded-full" src="/me.png" alt="">
  </nav></header>
  <main class="max-w-7xl mx-auto p-6">
    <div class="flex items-center justify-between">
      <h1 class="text-3xl font-bold text-gray-900">Lessons</h1>
      <a href="/lessons/new" class="rounded-lg bg-indigo-600 px-4 py-2 text-white">New lesson</a>
    </div>
    <div class="filters mt-4 flex gap-3">
      <select name="subject" class="rounded-md border-gray-300"><option value="">All subjects</option><option>Math</option></select>
      <select name="sort" class="rounded-md"><option>Newest</option></select>
    </div>
    <div class="mt-6 grid grid-cols-1 gap-6 sm:grid-cols-2 lg:grid-cols-3">
      <article class="lesson-card rounded-xl bg-white p-5 shadow hover:shadow-md transition">
        <img class="lesson-cover h-40 w-full object-cover rounded-lg" src="/img/fractions.jpg" alt="">
        <h2 class="lesson-title mt-3 text-lg font-semibold text-gray-900">Fractions for beginners</h2>
        <div class="mt-2 flex items-center gap-2 text-sm text-gray-500">
          <span class="lesson-subject rounded-full bg-indigo-50 px-2 py-0.5 text-indigo-700">Math</span>
          <span class="lesson-grade">5</span>
        </div>
        <p class="mt-3 text-sm text-gray-600">by <span class="lesson-author font-medium text-gray-900">Ada Lovelace</span>
          · <time class="lesson-date" datetime="2024-03-01">Mar 1, 2024</time></p>
        <div class="mt-3 flex gap-1"><span class="tag text-xs">fractions</span><span class="tag text-xs">math</span></div>
      </article>
      <article class="lesson-card rounded-xl bg-white p-5 shadow hover:shadow-md transition">
        <img class="lesson-cover h-40 w-full object-cover rounded-lg" src="/img/cells.jpg" alt="">
        <h2 class="lesson-title mt-3 text-lg font-semibold text-gray-900">The living cell</h2>
        <div class="mt-2 flex items-center gap-2 text-sm text-gray-500">
          <span class="lesson-subject rounded-full bg-indigo-50 px-2 py-0.5 text-indigo-700">Science</span>
          <span class="lesson-grade">7</span>
        </div>
        <p class="mt-3 text-sm text-gray-600">by <span class="lesson-author font-medium text-gray-900">Grace Hopper</span>
          · <time class="lesson-date" datetime="2024-02-11">Feb 11, 2024</time></p>
        <div class="mt-3 flex gap-1"><span class="tag text-xs">biology</span></div>
      </article>
      <article class="lesson-card rounded-xl bg-white p-5 shadow hover:shadow-md transition">
        <img class="lesson-cover h-40 w-full object-cover rounded-lg" src="/img/poems.jpg" alt="">
        <h2 class="lesson-title mt-3 text-lg font-semibold text-gray-900">Reading poems aloud</h2>
        <div class="mt-2 flex items-center gap-2 text-sm text-gray-500">
          <span class="lesson-subject rounded-full bg-indigo-50 px-2 py-0.5 text-indigo-700">English</span>
          <span class="lesson-grade">4</span>
        </div>
        <p class="mt-3 text-sm text-gray-600">by <span class="lesson-author font-medium text-gray-900">Ada Lovelace</span>
          · <time class="lesson-date" datetime="2024-01-20">Jan 20, 2024</time></p>
      </article>
    </div>
  </main>
  <footer class="mt-12 p-6 text-sm text-gray-400"><form><input type="email" name="newsletter_email" placeholder="Newsletter"><button>Subscribe</button></form></footer>
</body></html>"""

NEW_LESSON = """<!doctype html><html><body class="bg-gray-50">
  <main class="mx-auto max-w-2xl p-6">
    <h1 class="text-2xl font-bold">Share a new lesson</h1>
    <form class="mt-6 space-y-6 bg-white p-6 rounded-xl shadow" enctype="multipart/form-data">
      <div>
        <label for="title" class="block text-sm font-medium text-gray-700">Title <span class="text-red-500">*</span></label>
        <input id="title" name="title" type="text" required maxlength="200" class="mt-1 block w-full rounded-md border-gray-300 shadow-sm">
      </div>
      <div class="grid grid-cols-2 gap-4">
        <label class="block"><span class="text-sm font-medium text-gray-700">Subject</span>
          <select name="subject" required class="mt-1 block w-full rounded-md">
            <option value="">Select a subject</option>
            <option value="math">Math</option><option value="science">Science</option><option value="english">English</option>
          </select></label>
        <label class="block"><span class="text-sm font-medium text-gray-700">Grade level</span>
          <input type="number" name="gradeLevel" min="1" max="12" required class="mt-1 block w-full rounded-md"></label>
      </div>
      <div>
        <label for="description" class="block text-sm font-medium text-gray-700">Description</label>
        <textarea id="description" name="description" rows="5" maxlength="5000" class="mt-1 block w-full rounded-md"></textarea>
      </div>
      <div class="grid grid-cols-2 gap-4">
        <label class="block"><span class="text-sm">Published on</span>
          <input type="date" name="published_date" class="mt-1 block w-full rounded-md"></label>
        <label class="block"><span class="text-sm">Duration (minutes)</span>
          <input type="number" name="duration_minutes" step="5" class="mt-1 block w-full rounded-md"></label>
      </div>
      <div>
        <span class="block text-sm font-medium text-gray-700">Cover image</span>
        <input type="file" name="cover_image" accept="image/png, image/jpeg" aria-label="Cover image" class="mt-1 block w-full text-sm">
      </div>
      <div>
        <label for="tags" class="block text-sm">Tags</label>
        <input id="tags" name="tags" type="text" placeholder="fractions, geometry" class="mt-1 block w-full rounded-md">
      </div>
      <div class="flex justify-end gap-3">
        <a href="/lessons" class="rounded-md border px-4 py-2">Cancel</a>
        <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-white">Publish lesson</button>
      </div>
    </form>
  </main>
</body></html>"""

LESSON_DETAIL = """<!doctype html><html><body class="bg-white">
  <main class="mx-auto max-w-3xl p-6">
    <nav class="text-sm text-gray-500"><a href="/lessons">Lessons</a> / Fractions</nav>
    <h1 class="lesson-title mt-2 text-4xl font-extrabold tracking-tight">Fractions for beginners</h1>
    <p class="mt-2 text-gray-600">by <a href="/users/ada" class="lesson-author font-medium text-indigo-600">Ada Lovelace</a></p>
    <div class="mt-2 flex items-center gap-1"><span class="lesson-rating font-semibold">4.5</span><span class="text-yellow-400">★★★★☆</span></div>
    <div class="prose mt-6"><p>Slice a pizza…</p></div>
    <button type="button" class="mt-6 inline-flex items-center gap-2 rounded-md bg-red-600 px-3 py-2 text-white hover:bg-red-700">
      <svg class="h-4 w-4"><path d="M0 0"/></svg> Delete lesson</button>
    <section class="mt-10">
      <h2 class="text-xl font-semibold">Comments (2)</h2>
      <ul class="mt-4 divide-y divide-gray-100">
        <li class="comment py-4 flex gap-3">
          <img class="comment-avatar h-8 w-8 rounded-full" src="/a.png" alt="">
          <div><p class="comment-author text-sm font-medium">Grace Hopper</p>
            <p class="comment-body text-sm text-gray-700">Lovely idea!</p>
            <time class="comment-date text-xs text-gray-400" datetime="2024-03-02T10:00:00Z">2 days ago</time></div>
          <button class="ml-auto text-xs text-gray-400 hover:text-red-600" aria-label="Remove comment">✕</button>
        </li>
        <li class="comment py-4 flex gap-3">
          <img class="comment-avatar h-8 w-8 rounded-full" src="/b.png" alt="">
          <div><p class="comment-author text-sm font-medium">Alan Turing</p>
            <p class="comment-body text-sm text-gray-700">Used it in class today.</p>
            <time class="comment-date text-xs text-gray-400" datetime="2024-03-03T08:30:00Z">yesterday</time></div>
          <button class="ml-auto text-xs text-gray-400 hover:text-red-600" aria-label="Remove comment">✕</button>
        </li>
      </ul>
    </section>
  </main>
</body></html>"""

PROFILE = """<!doctype html><html><body class="bg-gray-100">
  <div class="mx-auto max-w-2xl p-6">
    <h1 class="text-2xl font-bold">Profile settings</h1>
    <form class="mt-6 space-y-5 rounded-xl bg-white p-6 shadow">
      <label class="block"><span class="text-sm font-medium">Name</span>
        <input type="text" name="name" value="Ada Lovelace" required maxlength="100" class="mt-1 block w-full rounded-md"></label>
      <label class="block"><span class="text-sm font-medium">Email</span>
        <input type="email" name="email" value="ada@example.com" required class="mt-1 block w-full rounded-md"></label>
      <label class="block"><span class="text-sm font-medium">Bio</span>
        <textarea name="bio" rows="3" maxlength="500" class="mt-1 block w-full rounded-md">Teacher of maths.</textarea></label>
      <label class="block"><span class="text-sm font-medium">Avatar</span>
        <input type="file" name="avatar" accept="image/*" class="mt-1 block text-sm"></label>
      <label class="block"><span class="text-sm font-medium">Website</span>
        <input type="url" name="website" value="https://ada.dev" class="mt-1 block w-full rounded-md"></label>
      <div class="flex justify-between">
        <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-white">Save changes</button>
      </div>
    </form>
    <div class="mt-8 rounded-xl border border-red-200 bg-red-50 p-6">
      <h2 class="text-lg font-semibold text-red-700">Danger zone</h2>
      <button type="button" class="mt-3 rounded-md bg-red-600 px-4 py-2 text-white">Delete account</button>
    </div>
  </div>
</body></html>"""

LESSONS_TABLE = """<html><body class="p-6">
  <h2 class="text-xl font-bold">Manage lessons</h2>
  <table class="min-w-full divide-y divide-gray-200 text-sm">
    <thead class="bg-gray-50"><tr>
      <th class="px-4 py-2 text-left">Title</th><th class="px-4 py-2">Status</th><th class="px-4 py-2">Views</th>
      <th class="px-4 py-2">Price</th><th class="px-4 py-2">Updated at</th><th class="px-4 py-2">Contact email</th><th class="px-4 py-2">Actions</th>
    </tr></thead>
    <tbody class="divide-y">
      <tr><td>Fractions</td><td><span class="rounded bg-green-100 px-2">published</span></td><td>1,204</td><td>4.99</td><td>2024-03-01</td><td>ada@example.com</td>
          <td><a href="#" class="text-indigo-600">Edit</a> <button class="text-red-600">Delete</button></td></tr>
      <tr><td>Cells</td><td><span class="rounded bg-gray-100 px-2">draft</span></td><td>87</td><td>0</td><td>2024-02-11</td><td>grace@example.com</td>
          <td><a href="#" class="text-indigo-600">Edit</a> <button class="text-red-600">Delete</button></td></tr>
    </tbody>
  </table>
</body></html>"""


def page(slug: str, path: str, html: str, name: str = "", purpose: str = "") -> dict:
    return {"slug": slug, "path": path, "name": name or slug, "purpose": purpose, "html": html}


EXAMPLE_PAGES = [
    page("signup", "/signup", SIGNUP),
    page("login", "/login", LOGIN),
    page("lessons", "/lessons", LESSONS),
    page("lessons-new", "/lessons/new", NEW_LESSON),
    page("lessons-detail", "/lessons/detail", LESSON_DETAIL),
    page("settings-profile", "/settings/profile", PROFILE),
]


# Two entities referencing each other plus a many_to_many: the DDL needs a deferred FK and a join table.
CYCLE = [
    {
        "entity_name": "Course",
        "fields": {"owner_id": {"type": "reference", "target_entity": "Student"}},
        "relationships": [
            {"type": "many_to_many", "target_entity": "Student", "foreign_key": "student_id", "inverse": "many_to_many"}
        ],
    },
    {
        "entity_name": "Student",
        "fields": {"best_course_id": {"type": "reference", "target_entity": "Course", "required": True}},
        "relationships": [],
    },
]
