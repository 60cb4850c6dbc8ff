// Starts the rasa-webchat widget on the chat page. The personal token never travels in a URL after
// the first request (docs/privacy.md, "Access that can be taken back"):
// - it moves from the page into this tab's sessionStorage, and the address becomes /chat/open
//   (history.replaceState), so it is not in the history, a bookmark or a reload's request;
// - it goes to Rasa in the socket.io handshake's auth payload, not in the query string of every
//   long-poll request. rasa-webchat 1.0.1 does not pass socket.io options on, so the socket first
//   connects without it; Rasa refuses that ("no token") and socket.io's documented retry sets
//   `socket.auth` and connects again on the same socket (`this` in its handlers is the socket).
// Rasa's webchat channel verifies the token, on connecting and for every message, and binds the
// conversation to the citizen who holds the link.
// The words are the page's (its language: bot/core/page_texts.py), handed over in #chat-texts; the
// page's language goes into the new address (/chat/open?lang=en; Danish needs none), so a reload,
// which no longer knows the citizen, is in it too. Each message takes its own direction (dir="auto"):
// an Arabic reply reads right-to-left in a Danish or English page.
(function () {
  const KEY = "bic-chat-token";
  const box = document.getElementById("webchat");
  if (!box) return;
  const handedOver = document.getElementById("chat-texts");
  const texts = handedOver ? JSON.parse(handedOver.textContent) : {};
  function t(name) {
    return texts[name] || "";
  }
  const lang = document.documentElement.lang || "da";
  let token = box.dataset.token;
  box.removeAttribute("data-token");
  if (token) {
    sessionStorage.setItem(KEY, token);
    history.replaceState(null, "", lang === "da" ? "/chat/open" : "/chat/open?lang=" + encodeURIComponent(lang));
  } else {
    token = sessionStorage.getItem(KEY);
  }
  // The token leaves the address even if the widget failed to load; "Din side" (ownpage.js) reads
  // it from sessionStorage.
  if (!window.WebChat) return;
  function refused(which) {
    sessionStorage.removeItem(KEY);
    box.hidden = true;
    document.getElementById(which).hidden = false;
  }
  if (!token) {
    refused("chat-expired");
    return;
  }
  window.WebChat.default(
    {
      socketUrl: box.dataset.socketUrl,
      socketPath: "/socket.io/",
      onSocketEvent: {
        connect_error: function (error) {
          const reason = error && error.message;
          if (reason === "no token" && !(this.auth && this.auth.token === token)) {
            this.auth = { token: token };
            this.connect();
          } else if (reason === "expired") {
            refused("chat-expired");
          } else if (reason === "invalid") {
            refused("chat-closed");
          }
        },
      },
      embedded: true,
      title: t("title"),
      subtitle: t("widget_subtitle"),
      inputTextFieldHint: t("widget_input_hint"),
      connectingText: t("widget_connecting"),
      showMessageDate: (timestamp) =>
        new Date(timestamp).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
      hideWhenNotConnected: false,
      customMessageDelay: () => 300,
      params: { storage: "session" },
    },
    box
  );
  // What rasa-webchat 1.0.1 leaves out for WCAG 2.1 AA (docs/testing.md, "Accessibility"): a name
  // for the send button (an icon only), a label for the text box (the placeholder goes as one
  // types), the message list as a live log a keyboard can reach (it scrolls), and quick replies a
  // keyboard can use (they are <div>s with a click handler). The widget renders after this and
  // renders these elements again, so every change to it names whatever is new. The same for each
  // message's direction and the text box's: from their own first letters (dir="auto").
  function accessible() {
    box.querySelectorAll(".rw-send:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", t("widget_send"));
    });
    box.querySelectorAll(".rw-new-message:not([aria-label])").forEach(function (field) {
      field.setAttribute("aria-label", t("widget_message_label"));
      field.setAttribute("dir", "auto");
    });
    box.querySelectorAll("#rw-messages:not([role])").forEach(function (list) {
      list.setAttribute("role", "log");
      list.setAttribute("aria-label", t("widget_messages_label"));
      list.tabIndex = 0;
    });
    box.querySelectorAll(".rw-response:not([dir]), .rw-client:not([dir])").forEach(function (message) {
      message.setAttribute("dir", "auto");
    });
    box.querySelectorAll("div.rw-reply:not([role])").forEach(function (reply) {
      reply.setAttribute("role", "button");
      reply.tabIndex = 0;
    });
  }
  // Attributes are not observed, so setting them does not call this again.
  new MutationObserver(accessible).observe(box, { childList: true, subtree: true });
  accessible();
  box.addEventListener("keydown", function (event) {
    const reply = event.target.closest && event.target.closest("div.rw-reply");
    if (reply && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      reply.click(); // the widget's own handler, as a tap
    }
  });
})();
