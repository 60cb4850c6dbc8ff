// "Din side" beside the web chat: the citizen's own meetings, goals, agreements and lyskurve, read from
// GET /chat/me with the chat token in the Authorization header (never in a URL; webchat.js has put it
// in this tab's sessionStorage). Everything from the server is set as text (textContent), never as
// HTML; the chart is the server's SVG shown as an image (data: URL), where it can run no script.
// The one thing the citizen changes here: a goal step ticked off ("Jeg har gjort det") or their own
// tick taken back, with POST /chat/me/steps/{id}/done and the same token; then the page is read again
// and the focus stays on that step, and a status line (role="status") says what happened.
// The words are the page's, in its language (#chat-texts, bot/core/page_texts.py); GET /chat/me
// answers in the citizen's language now, and when that is not the page's (the citizen switched
// language since the page was opened) the page loads itself again in it, once.
(function () {
  const KEY = "bic-chat-token";
  const page = document.getElementById("din-side");
  const token = sessionStorage.getItem(KEY);
  if (!page || !token || !window.fetch) return;
  const handedOver = document.getElementById("chat-texts");
  const texts = handedOver ? JSON.parse(handedOver.textContent) : {};
  // A text with its {placeholders} filled in; a name the page did not hand over says nothing.
  function t(name, values) {
    return (texts[name] || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return values && Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

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
    if (m.place) li.appendChild(el("span", "own-line", t("place", { place: m.place })));
    if (m.your_answer) li.appendChild(el("span", "own-line own-quiet", m.your_answer));
    return li;
  }

  function agreement(a) {
    const li = el("li", "own-item" + (a.done === true ? " own-done" : ""));
    li.appendChild(el("strong", "", a.what));
    li.appendChild(el("span", "own-line", t("who", { who: a.who })));
    if (a.due_words) li.appendChild(el("span", "own-line", t("due", { due: a.due_words })));
    li.appendChild(el("span", "own-line own-quiet", a.done_words));
    return li;
  }

  function say(words) {
    // Emptied first, so the same words twice are read out twice.
    const status = document.getElementById("own-goal-status");
    status.textContent = "";
    window.setTimeout(function () { status.textContent = words; }, 50);
  }

  function tick(s, done, button) {
    button.disabled = true;
    fetch("/chat/me/steps/" + encodeURIComponent(String(s.id)) + "/done", {
      method: "POST",
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ done: done }),
      cache: "no-store",
      credentials: "omit",
    })
      .then(function (response) {
        if (response.ok) {
          say(t(done ? "ticked" : "unticked"));
          return load(s.id);
        }
        if (response.status === 401 || response.status === 403) {
          say(t("tick_link_dead"));
        } else if (response.status === 404) {
          say(t("tick_step_gone"));
          return load(null);
        } else {
          say(t("tick_failed"));
        }
        button.disabled = false;
      })
      .catch(function () {
        say(t("tick_failed"));
        button.disabled = false;
      });
  }

  function tickButton(s, words, done, describedBy) {
    const button = el("button", "own-tick", words);
    button.type = "button";
    // The button says what it does; the step's own words describe it for a screen reader.
    button.setAttribute("aria-describedby", describedBy);
    button.addEventListener("click", function () { tick(s, done, button); });
    return button;
  }

  function step(s) {
    const li = el("li", "own-step" + (s.done ? " own-done" : ""));
    li.dataset.stepId = String(s.id);
    const text = el("span", "own-line", s.done ? t("step_done", { step: s.text }) : s.text);
    text.id = "own-step-" + s.id;
    li.appendChild(text);
    const who = t("who", { who: s.who }) + (s.due_words ? ". " + t("due", { due: s.due_words }) : "");
    // "tirsdag 1. dec." already ends a sentence.
    li.appendChild(el("span", "own-line own-quiet", who + (who.endsWith(".") ? "" : ".")));
    if (!s.done) {
      li.appendChild(tickButton(s, t(s.yours ? "tick_mine" : "tick_theirs"), true, text.id));
    } else if (s.ticked_by_you) {
      li.appendChild(tickButton(s, t("untick"), false, text.id));
    }
    return li;
  }

  function goal(g) {
    const li = el("li", "own-item own-goal");
    li.appendChild(el("strong", "", g.text));
    if (g.steps.length) {
      const steps = el("ul", "own-steps");
      g.steps.forEach(function (s) { steps.appendChild(step(s)); });
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
      li.appendChild(el("span", "own-line own-quiet", t("mattered_most", { areas: c.mattered_most.join(", ") })));
    }
    return li;
  }

  // The citizen's language is not the page's: the page again in it (/chat/open?lang=..., webchat.js),
  // unless the address already asks for it (then the server has no page in it: no loop).
  function reloadedIn(language) {
    const lang = document.documentElement.lang;
    if (!language || language === lang || location.pathname !== "/chat/open") return false;
    const wanted = language === "da" ? "" : language;
    if ((new URLSearchParams(location.search).get("lang") || "") === wanted) return false;
    location.replace(wanted ? "/chat/open?lang=" + encodeURIComponent(wanted) : "/chat/open");
    return true;
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
    link.textContent = data.link_works_until ? t("link_until", { when: data.link_works_until }) : "";
    link.hidden = !data.link_works_until;
    page.hidden = false;
    document.getElementById("to-own-page").hidden = false;
  }

  function refocus(stepId) {
    // The list was drawn again: back to the ticked step's button (or its words, when it has none left).
    const item = document.querySelector('#own-goals li[data-step-id="' + String(stepId) + '"]');
    if (!item) return;
    const target = item.querySelector("button") || item.querySelector(".own-line");
    if (target.tagName !== "BUTTON") target.tabIndex = -1;
    target.focus();
  }

  function load(focusStepId) {
    return fetch("/chat/me", {
      headers: { Authorization: "Bearer " + token, Accept: "application/json" },
      cache: "no-store",
      credentials: "omit",
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) return null; // the chat says why
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (!data || reloadedIn(data.language)) return;
        show(data);
        if (focusStepId !== undefined && focusStepId !== null) refocus(focusStepId);
      })
      .catch(function () { document.getElementById("own-failed").hidden = false; });
  }

  load();
})();
