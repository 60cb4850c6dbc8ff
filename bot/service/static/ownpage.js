// "Din side" beside the web chat: the citizen's own meetings, goals, agreements and lyskurve (read only), read from
// GET /chat/me with the chat token in the Authorization header (never in a URL; webchat.js has put it
// in this tab's sessionStorage). Everything from the server is set as text (textContent), never as
// HTML; the chart is the server's SVG shown as an image (data: URL), where it can run no script.
(function () {
  const KEY = "bic-chat-token";
  const page = document.getElementById("din-side");
  const token = sessionStorage.getItem(KEY);
  if (!page || !token || !window.fetch) return;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function fill(listId, items, render) {
    const list = document.getElementById(listId);
    list.replaceChildren();
    items.forEach(function (item) { list.appendChild(render(item)); });
    document.getElementById(listId + "-none").hidden = items.length > 0;
  }

  function meeting(m) {
    const li = el("li", "own-item");
    li.appendChild(el("strong", "", m.kind_words));
    li.appendChild(el("span", "own-line", m.when));
    if (m.place) li.appendChild(el("span", "own-line", "Sted: " + m.place));
    if (m.your_answer) li.appendChild(el("span", "own-line own-quiet", m.your_answer));
    return li;
  }

  function agreement(a) {
    const li = el("li", "own-item" + (a.done === true ? " own-done" : ""));
    li.appendChild(el("strong", "", a.what));
    li.appendChild(el("span", "own-line", "Hvem: " + a.who));
    if (a.due_words) li.appendChild(el("span", "own-line", "Senest: " + a.due_words));
    li.appendChild(el("span", "own-line own-quiet", a.done_words));
    return li;
  }

  function goal(g) {
    const li = el("li", "own-item own-goal");
    li.appendChild(el("strong", "", g.text));
    if (g.steps.length) {
      const steps = el("ul", "own-steps");
      g.steps.forEach(function (s) {
        const step = el("li", "own-step" + (s.done ? " own-done" : ""));
        step.appendChild(el("span", "own-line", (s.done ? "Gjort: " : "") + s.text));
        step.appendChild(el("span", "own-line own-quiet",
          "Hvem: " + s.who + (s.due_words ? ". Senest: " + s.due_words : "") + "."));
        steps.appendChild(step);
      });
      li.appendChild(steps);
    }
    return li;
  }

  function checkin(c) {
    const li = el("li", "own-item own-checkin");
    const line = el("span", "own-line");
    line.appendChild(el("span", "own-dot own-dot-" + c.colour));
    line.appendChild(document.createTextNode(c.day + ": " + c.colour_words));
    li.appendChild(line);
    if (c.areas.length) {
      li.appendChild(el("span", "own-line own-quiet",
        c.areas.map(function (a) { return a.area + ": " + a.colour_words; }).join(". ") + "."));
    } else if (c.mattered_most.length) {
      li.appendChild(el("span", "own-line own-quiet", "Det fyldte mest: " + c.mattered_most.join(", ") + "."));
    }
    return li;
  }

  function show(data) {
    fill("own-meetings", data.meetings, meeting);
    fill("own-goals", data.goals || [], goal);
    fill("own-agreements", data.agreements, agreement);
    fill("own-checkins", data.checkins, checkin);
    document.getElementById("own-checkins-intro").hidden = data.checkins.length === 0;
    const chartBox = document.getElementById("own-chart-box");
    if (data.chart_svg) {
      document.getElementById("own-chart").src =
        "data:image/svg+xml;charset=utf-8," + encodeURIComponent(data.chart_svg);
    }
    chartBox.hidden = !data.chart_svg;
    const questions = document.getElementById("own-questions");
    questions.textContent = data.questions_answered ? data.questions_answered.words : "";
    questions.hidden = !data.questions_answered;
    const link = document.getElementById("own-link");
    link.textContent = data.link_works_until ? "Dit link virker til " + data.link_works_until + "." : "";
    link.hidden = !data.link_works_until;
    page.hidden = false;
    document.getElementById("to-own-page").hidden = false;
  }

  fetch("/chat/me", {
    headers: { Authorization: "Bearer " + token, Accept: "application/json" },
    cache: "no-store",
    credentials: "omit",
  })
    .then(function (response) {
      if (response.status === 401 || response.status === 403) return null; // the chat says why
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(function (data) { if (data) show(data); })
    .catch(function () { document.getElementById("own-failed").hidden = false; });
})();
