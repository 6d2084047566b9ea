// FlexOS MCP Apps views: the view's side of the MCP Apps protocol (JSON-RPC 2.0 over postMessage,
// extension io.modelcontextprotocol/ui) and one renderer per kind of view. No dependencies, no
// network. Every value from a tool result is user data: it reaches the page only as text nodes,
// attribute values or CSSOM properties, never as markup; mockup HTML goes into a nested
// sandbox="allow-scripts" frame.
(function () {
  "use strict";

  const PROTOCOL_VERSION = "2026-01-26";
  const root = document.getElementById("view");
  const kind = document.body.dataset.view;
  const pending = new Map();
  let nextId = 1;
  let host = { hostCapabilities: {} };

  // -- protocol ---------------------------------------------------------------------------------

  function send(message) {
    window.parent.postMessage(Object.assign({ jsonrpc: "2.0" }, message), "*");
  }

  function request(method, params) {
    const id = nextId++;
    send({ id: id, method: method, params: params });
    return new Promise(function (resolve, reject) { pending.set(id, { resolve: resolve, reject: reject }); });
  }

  function notify(method, params) { send({ method: method, params: params || {} }); }

  function canCallTools() { return Boolean(host.hostCapabilities && host.hostCapabilities.serverTools); }

  // Another FlexOS read tool, through the host; its structured result, or an Error.
  function callTool(name, args) {
    if (!canCallTools()) return Promise.reject(new Error("this host does not let views call tools"));
    return request("tools/call", { name: name, arguments: args }).then(function (result) {
      if (result.isError) throw new Error(textOf(result) || (name + " failed"));
      return result.structuredContent;
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) return; // only the host speaks to us (never a nested mockup frame)
    const message = event.data;
    if (!message || message.jsonrpc !== "2.0") return;
    if (message.method === undefined && pending.has(message.id)) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message || "request failed"));
      else waiter.resolve(message.result);
      return;
    }
    handle(message);
  });

  function handle(message) {
    const params = message.params || {};
    switch (message.method) {
      case "ui/notifications/tool-input":
      case "ui/notifications/tool-input-partial":
        return;
      case "ui/notifications/tool-result":
        return show(params);
      case "ui/notifications/tool-cancelled":
        return replace(el("p", { class: "muted" }, "The tool call was cancelled" + (params.reason ? ": " + params.reason : ".")));
      case "ui/notifications/host-context-changed":
        return applyContext(params);
      case "ui/resource-teardown":
      case "ping":
        return send({ id: message.id, result: {} });
      default:
        if (message.id !== undefined) send({ id: message.id, error: { code: -32601, message: "Method not found" } });
    }
  }

  function applyContext(context) {
    if (!context) return;
    const variables = context.styles && context.styles.variables;
    if (variables) {
      Object.keys(variables).forEach(function (name) {
        if (/^--[a-z0-9-]+$/.test(name) && typeof variables[name] === "string") {
          document.documentElement.style.setProperty(name, variables[name]);
        }
      });
    }
    if (context.theme === "light" || context.theme === "dark") document.documentElement.style.colorScheme = context.theme;
  }

  let lastSize = "";
  function reportSize() {
    const width = Math.ceil(document.documentElement.scrollWidth);
    const height = Math.ceil(document.documentElement.scrollHeight);
    const size = width + "x" + height;
    if (size !== lastSize) {
      lastSize = size;
      notify("ui/notifications/size-changed", { width: width, height: height });
    }
  }

  request("ui/initialize", {
    appInfo: { name: "flexos-" + kind + "-view", title: document.title, version: "1" },
    appCapabilities: { availableDisplayModes: ["inline"] },
    protocolVersion: PROTOCOL_VERSION,
  }).then(function (result) {
    host = result || host;
    applyContext(host.hostContext);
    notify("ui/notifications/initialized", {});
    if (window.ResizeObserver) new ResizeObserver(reportSize).observe(document.documentElement);
    reportSize();
  }, function (error) {
    replace(el("p", { class: "error" }, "The host did not start this view: " + error.message));
  });

  // -- DOM helpers: text only, never markup -----------------------------------------------------

  function el(tag, attributes) {
    const node = document.createElement(tag);
    setAttributes(node, attributes);
    appendAll(node, Array.prototype.slice.call(arguments, 2));
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    setAttributes(node, attributes);
    appendAll(node, Array.prototype.slice.call(arguments, 2));
    return node;
  }

  function setAttributes(node, attributes) {
    Object.keys(attributes || {}).forEach(function (name) {
      const value = attributes[name];
      if (value !== null && value !== undefined && value !== false) node.setAttribute(name, String(value));
    });
  }

  function appendAll(node, children) {
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) appendAll(node, child);
      else node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
  }

  function replace() {
    root.replaceChildren();
    appendAll(root, Array.prototype.slice.call(arguments));
    reportSize();
  }

  function textOf(result) {
    return (result.content || []).filter(function (c) { return c.type === "text"; }).map(function (c) { return c.text; }).join("\n");
  }

  function short(text, limit) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    return text.length > limit ? text.slice(0, limit - 1) + "…" : text;
  }

  // Mockup content arrives inside a <user-content> block (domain/untrusted.py): the frame shows
  // what the person wrote, without the wrapper.
  function unwrapUserContent(text) {
    if (typeof text !== "string") return null;
    const match = /^<user-content note="[^"]*">\n([\s\S]*)\n<\/user-content>$/.exec(text);
    return match ? match[1].split("<\\/user-content>").join("</user-content>") : text;
  }

  function show(result) {
    if (result.isError) return replace(el("p", { class: "error" }, textOf(result) || "The tool call failed."));
    const data = result.structuredContent;
    if (!data) return replace(el("pre", {}, textOf(result)));
    Promise.resolve(RENDERERS[kind](data)).catch(function (error) {
      replace(el("p", { class: "error" }, "Could not draw this result: " + error.message));
    });
  }

  // -- mockup -----------------------------------------------------------------------------------

  const DATA = JSON.parse(document.getElementById("view-data").textContent);
  const VIEWPORTS = DATA.viewports;

  // As rendering/mockup_frame.py composes it, behind a <meta> policy of its own: a srcdoc frame
  // shares this view's policy, whose 'self' would let the mockup reach the host's sandbox origin.
  function mockupDocument(mockup) {
    const html = unwrapUserContent(mockup.html_content) || "";
    const css = unwrapUserContent(mockup.css_content);
    const js = unwrapUserContent(mockup.javascript_content);
    const policy = DATA.mockupPolicy.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
    return '<meta http-equiv="Content-Security-Policy" content="' + policy + '">\n' + html
      + (css ? "\n<style>" + css.replace(/<\/style/gi, "<\\/style") + "</style>" : "")
      + (js ? "\n<script>" + js.replace(/<\/script/gi, "<\\/script") + "</scr" + "ipt>" : "");
  }

  function mockupFrame(mockup) {
    const box = el("div", { class: "frame-box" });
    const frame = el("iframe", { sandbox: "allow-scripts", title: "Mockup version " + mockup.version, referrerpolicy: "no-referrer" });
    frame.srcdoc = mockupDocument(mockup);
    box.appendChild(frame);
    const buttons = Object.keys(VIEWPORTS).map(function (name) {
      return el("button", { type: "button", "data-viewport": name, "aria-pressed": "false" },
                name + " " + VIEWPORTS[name].width + "×" + VIEWPORTS[name].height);
    });
    function choose(name) {
      const size = VIEWPORTS[name];
      const scale = Math.min(1, (root.clientWidth - 34) / size.width);
      frame.style.width = size.width + "px";
      frame.style.height = size.height + "px";
      frame.style.transform = "scale(" + scale + ")";
      box.style.height = Math.ceil(size.height * scale) + 2 + "px";
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.viewport === name)); });
      reportSize();
    }
    buttons.forEach(function (b) { b.addEventListener("click", function () { choose(b.dataset.viewport); }); });
    return { toolbar: el("div", { class: "toolbar", role: "group", "aria-label": "Viewport" }, buttons), box: box, choose: choose };
  }

  async function renderMockup(data) {
    const page = data.current_mockup !== undefined ? data : null;
    let mockup = page ? data.current_mockup : data;
    if ((!mockup || mockup.html_content == null) && canCallTools()) {
      const id = mockup ? mockup.id : page && page.current_mockup_id;
      if (id) mockup = await callTool("get_mockup", { mockup_id: id });
    }
    const heading = el("h1", {}, page ? page.name : "Mockup", mockup ? " · version " + mockup.version : "");
    const facts = el("div", { class: "meta" },
      page ? el("span", {}, "status ", el("span", { class: "badge" }, page.status)) : null,
      page && page.path ? el("span", {}, page.path) : null,
      mockup && mockup.changed_by ? el("span", {}, "by " + mockup.changed_by) : null,
      mockup ? el("span", {}, (mockup.html_bytes || 0).toLocaleString() + " bytes of HTML") : null,
      mockup && mockup.is_current ? el("span", { class: "badge info" }, "current") : null);
    const parts = [heading, facts];
    if (mockup && mockup.change_description) parts.push(el("p", {}, mockup.change_description));
    if (page && page.purpose) parts.push(el("p", { class: "muted" }, page.purpose));
    if (!mockup) {
      parts.push(el("p", { class: "muted" }, page && page.current_mockup_id
        ? "Call get_page with include_current_mockup to see its mockup here."
        : "This page has no mockup yet."));
      return replace.apply(null, parts);
    }
    if (mockup.html_content == null) {
      parts.push(el("p", { class: "muted" }, "Call get_mockup with include_content to see this version drawn here."));
      return replace.apply(null, parts);
    }
    const frame = mockupFrame(mockup);
    parts.push(frame.toolbar, frame.box);
    replace.apply(null, parts);
    frame.choose(page && VIEWPORTS[page.primary_device] ? page.primary_device : "desktop");
  }

  // -- design system ----------------------------------------------------------------------------

  function entries(object) {
    return object && typeof object === "object" && !Array.isArray(object) ? Object.keys(object).map(function (k) { return [k, object[k]]; }) : [];
  }

  function tokenValue(token) { return token && typeof token === "object" ? token.value : token; }

  function styled(node, property, value) {
    node.style.setProperty(property, String(value)); // CSSOM: an invalid value is simply ignored
    return node;
  }

  function renderDesignSystem(data) {
    const tokens = data.tokens || {};
    const colors = entries(tokens.colors).sort(function (a, b) { return (b[1].usage_count || 0) - (a[1].usage_count || 0); });
    const typography = tokens.typography || {};
    const spacing = tokens.spacing || {};
    const parts = [
      el("h1", {}, "Design system"),
      el("div", { class: "meta" }, el("span", {}, (data.generation_method || "emergent") + " tokens"),
         el("span", {}, colors.length + " colours")),
      el("h2", {}, "Colours"),
      colors.length ? el("div", { class: "swatches" }, colors.map(function (pair) {
        const token = pair[1];
        return el("div", { class: "swatch" },
          styled(el("div", { class: "chip", role: "img", "aria-label": pair[0] + " " + tokenValue(token) }), "background", tokenValue(token)),
          el("div", { class: "text" }, el("strong", {}, pair[0]), el("br"), el("code", {}, tokenValue(token)),
             token.ref ? " = " + token.ref : "", el("br"),
             el("span", { class: "muted" }, "used " + (token.usage_count || 0) + "× on " + (token.page_count || 0) + " pages")));
      })) : el("p", { class: "muted" }, "No colours yet."),
    ];
    const sizes = entries(typography.sizes);
    parts.push(el("h2", {}, "Type scale"), typography.font_family ? el("p", {}, "Font: " + typography.font_family) : null);
    sizes.forEach(function (pair) {
      parts.push(el("div", { class: "scale-row" }, el("span", { class: "label" }, pair[0] + " · " + tokenValue(pair[1])),
        styled(el("span", {}, "The quick brown fox"), "font-size", tokenValue(pair[1]))));
    });
    const steps = entries(spacing.steps);
    parts.push(el("h2", {}, "Spacing"), spacing.base ? el("p", {}, "Base " + tokenValue(spacing.base)) : null);
    steps.forEach(function (pair) {
      parts.push(el("div", { class: "scale-row" }, el("span", { class: "label" }, pair[0] + " · " + tokenValue(pair[1])),
        styled(el("span", { class: "bar" }), "width", tokenValue(pair[1]))));
    });
    parts.push(el("h2", {}, "Radii and shadows"), el("div", { class: "examples" },
      entries(tokens.radii).map(function (pair) {
        return styled(el("div", { class: "example" }, pair[0] + " " + tokenValue(pair[1])), "border-radius", tokenValue(pair[1]));
      }),
      entries(tokens.shadows).map(function (pair) {
        return styled(el("div", { class: "example" }, "shadow " + pair[0]), "box-shadow", tokenValue(pair[1]));
      })));
    replace.apply(null, parts);
  }

  // -- diagrams ---------------------------------------------------------------------------------

  const BOX = { width: 180, height: 80 };

  function wrapLines(text, perLine, lines) {
    const words = String(text).split(/\s+/);
    const out = [""];
    words.forEach(function (word) {
      const line = out[out.length - 1];
      if ((line + " " + word).trim().length > perLine && line) out.push(word);
      else out[out.length - 1] = (line + " " + word).trim();
    });
    if (out.length > lines) { out.length = lines; out[lines - 1] = out[lines - 1].slice(0, perLine - 1) + "…"; }
    return out;
  }

  // nodes: [{id, x, y, width, height, lines: [..], classes}], edges: [{from, to, label}]
  function diagram(title, nodes, edges) {
    const byId = {};
    nodes.forEach(function (n) { byId[n.id] = n; });
    const pad = 24;
    const maxX = Math.max.apply(null, nodes.map(function (n) { return n.x + n.width; }).concat([0]));
    const maxY = Math.max.apply(null, nodes.map(function (n) { return n.y + n.height; }).concat([0]));
    const minX = Math.min.apply(null, nodes.map(function (n) { return n.x; }).concat([0]));
    const minY = Math.min.apply(null, nodes.map(function (n) { return n.y; }).concat([0]));
    const picture = svg("svg", { class: "diagram", role: "img", "aria-label": title,
      viewBox: [minX - pad, minY - pad, maxX - minX + 2 * pad, maxY - minY + 2 * pad].join(" ") },
      svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse" },
        svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "currentColor" }))));
    edges.forEach(function (e) {
      const a = byId[e.from], b = byId[e.to];
      if (!a || !b) return;
      const x1 = a.x + a.width, y1 = a.y + a.height / 2, x2 = b.x, y2 = b.y + b.height / 2;
      const bend = Math.max(40, Math.abs(x2 - x1) / 2);
      picture.appendChild(svg("path", { class: "edge", "marker-end": "url(#arrow)",
        d: "M " + x1 + " " + y1 + " C " + (x1 + bend) + " " + y1 + ", " + (x2 - bend) + " " + y2 + ", " + x2 + " " + y2 }));
      if (e.label) picture.appendChild(svg("text", { class: "edge-label", x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, "text-anchor": "middle" }, short(e.label, 24)));
    });
    nodes.forEach(function (n) {
      picture.appendChild(svg("g", { class: "node " + (n.classes || []).join(" "), "data-node": n.id },
        svg("title", {}, n.tooltip || n.lines.join(" ")),
        svg("rect", { x: n.x, y: n.y, width: n.width, height: n.height, rx: 8 }),
        n.lines.map(function (line, i) {
          return svg("text", { x: n.x + 10, y: n.y + 20 + i * 16 }, line);
        })));
    });
    return picture;
  }

  // -- flow -------------------------------------------------------------------------------------

  function faultList(heading, ids, analysis, badge) {
    if (!ids || !ids.length) return null;
    return [el("h2", {}, heading, " ", el("span", { class: "badge " + badge }, String(ids.length))),
      el("ul", { class: "faults" }, ids.map(function (id) {
        const node = analysis.nodes && analysis.nodes[id];
        return el("li", {}, node ? node.label + " (" + node.node_type + ", " + id + ")" : id);
      }))];
  }

  async function renderFlow(data) {
    const isAnalysis = Array.isArray(data.unreachable);
    let flow = isAnalysis ? null : data;
    let analysis = isAnalysis ? data : null;
    const flowId = isAnalysis ? data.flow_id : data.id;
    if (canCallTools()) {
      try {
        if (isAnalysis) flow = await callTool("get_flow", { flow_id: flowId });
        else analysis = await callTool("analyze_flow", { flow_id: flowId });
      } catch (error) { /* drawn with what the tool call gave */ }
    }
    const flagged = {};
    function flag(ids, cls) { (ids || []).forEach(function (id) { (flagged[id] = flagged[id] || []).push(cls); }); }
    if (analysis) { flag(analysis.unreachable, "unreachable"); flag(analysis.dead_ends, "dead-end"); flag(analysis.entries, "entry"); }
    const parts = [el("h1", {}, flow ? flow.name : "Flow analysis")];
    if (flow && flow.description) parts.push(el("p", { class: "muted" }, flow.description));
    if (analysis) {
      parts.push(el("div", { class: "meta" },
        el("span", {}, analysis.node_count + " nodes, " + analysis.edge_count + " edges"),
        el("span", {}, (analysis.path_count === null ? "too many" : analysis.path_count) + " entry-to-exit paths"),
        el("span", { class: "badge " + (analysis.unreachable.length ? "danger" : "") }, analysis.unreachable.length + " unreachable"),
        el("span", { class: "badge " + (analysis.dead_ends.length ? "warning" : "") }, analysis.dead_ends.length + " dead ends")));
    }
    if (flow && flow.nodes && flow.nodes.length) {
      const nodes = flow.nodes.map(function (n) {
        const width = (n.size && n.size.width) || BOX.width, height = (n.size && n.size.height) || BOX.height;
        const classes = flagged[n.canvas_node_id] || [];
        return { id: n.canvas_node_id, x: n.position.x || 0, y: n.position.y || 0, width: width, height: height,
                 classes: classes, tooltip: n.label + " (" + n.node_type + ")" + (classes.length ? ": " + classes.join(", ") : ""),
                 lines: [n.node_type + (classes.length ? " · " + classes.join(", ") : "")].concat(wrapLines(n.label, 22, 3)) };
      });
      const edges = [];
      flow.nodes.forEach(function (n) {
        (n.connections || []).forEach(function (c) { edges.push({ from: n.canvas_node_id, to: c.target_canvas_node_id, label: c.label }); });
      });
      parts.push(diagram("Journey flow " + flow.name, nodes, edges));
    } else if (flow) {
      parts.push(el("p", { class: "muted" }, "This flow has no nodes yet."));
    }
    if (analysis) {
      parts.push(faultList("Unreachable", analysis.unreachable, analysis, "danger"),
                 faultList("Dead ends", analysis.dead_ends, analysis, "warning"));
      if (analysis.missing_branches && analysis.missing_branches.length) {
        parts.push(el("h2", {}, "Decisions missing a branch"),
          el("ul", { class: "faults" }, analysis.missing_branches.map(function (m) { return el("li", {}, m.message); })));
      }
    }
    replace.apply(null, parts);
  }

  // -- thinking chain ---------------------------------------------------------------------------

  function thoughtClasses(t) {
    const classes = [];
    if (t.status === "rejected") classes.push("rejected");
    if (t.needs_review) classes.push("needs-review");
    if (t.thought_type === "question" && t.needs_answer) classes.push("open-question");
    return classes;
  }

  function thoughtBadges(t) {
    return [
      t.thought_type === "question" && t.needs_answer ? el("span", { class: "badge info" }, "open question") : null,
      t.status === "rejected" ? el("span", { class: "badge danger" }, "rejected") : null,
      t.needs_review ? el("span", { class: "badge warning" }, "needs review") : null,
      t.status === "revised" ? el("span", { class: "badge" }, "revised") : null,
      t.status === "confirmed" ? el("span", { class: "badge" }, "confirmed") : null,
    ];
  }

  function renderThinking(data) {
    const thoughts = data.thoughts || [];
    const number = {};
    thoughts.forEach(function (t, i) { number[t.id] = i + 1; });
    const depth = {};
    thoughts.forEach(function (t) { // creation order: a thought's dependencies come before it
      depth[t.id] = 1 + Math.max.apply(null, [-1].concat(t.depends_on.filter(function (d) { return d in depth; }).map(function (d) { return depth[d]; })));
    });
    const rows = {};
    const nodes = thoughts.map(function (t) {
      const column = depth[t.id];
      rows[column] = (rows[column] || 0) + 1;
      const classes = thoughtClasses(t);
      return { id: t.id, x: column * 240, y: (rows[column] - 1) * 96, width: 200, height: 76, classes: classes,
               tooltip: "#" + number[t.id] + " " + t.thought_type + ": " + t.reasoning,
               lines: ["#" + number[t.id] + " " + t.thought_type + " " + Number(t.confidence).toFixed(2)].concat(wrapLines(t.reasoning, 24, 3)) };
    });
    const edges = (data.edges || []).map(function (pair) { return { from: pair[0], to: pair[1] }; });
    const children = {};
    const roots = [];
    thoughts.forEach(function (t) {
      const parent = t.depends_on.filter(function (d) { return d in number; })[0];
      if (parent) (children[parent] = children[parent] || []).push(t); else roots.push(t);
    });
    function branch(list) {
      return el("ul", {}, list.map(function (t) {
        return el("li", { class: "thought " + thoughtClasses(t).join(" ") },
          el("span", { class: "body" }, "#" + number[t.id] + " [" + t.thought_type + " " + Number(t.confidence).toFixed(2) + "] " + t.reasoning),
          " ", thoughtBadges(t), children[t.id] ? branch(children[t.id]) : null);
      }));
    }
    const open = thoughts.filter(function (t) { return t.thought_type === "question" && t.needs_answer; });
    const tree = branch(roots);
    tree.className = "tree";
    replace(
      el("h1", {}, "Thinking chain"),
      el("div", { class: "meta" }, el("span", {}, data.total + " thoughts" + (data.truncated ? " (first " + thoughts.length + " shown)" : "")),
         el("span", { class: "badge info" }, open.length + " open questions"),
         el("span", { class: "badge danger" }, thoughts.filter(function (t) { return t.status === "rejected"; }).length + " rejected"),
         el("span", { class: "badge warning" }, thoughts.filter(function (t) { return t.needs_review; }).length + " need review")),
      open.length ? [el("h2", {}, "Open questions"), el("ul", { class: "faults" }, open.map(function (t) { return el("li", {}, "#" + number[t.id] + " " + t.reasoning); }))] : null,
      el("h2", {}, "Graph"), thoughts.length ? diagram("Thinking chain graph", nodes, edges) : el("p", { class: "muted" }, "No thoughts yet."),
      el("h2", {}, "Tree"), tree);
  }

  const RENDERERS = { mockup: renderMockup, "design-system": renderDesignSystem, flow: renderFlow, thinking: renderThinking };
})();
