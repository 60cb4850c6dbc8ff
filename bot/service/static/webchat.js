// Starts the rasa-webchat widget on the chat page. The personal token travels in the socket.io
// handshake; Rasa's webchat channel verifies it and binds the conversation to that citizen.
(function () {
  const box = document.getElementById("webchat");
  if (!box || !window.WebChat) return;
  const socketUrl = box.dataset.socketUrl + "?token=" + encodeURIComponent(box.dataset.token);
  window.WebChat.default(
    {
      socketUrl: socketUrl,
      socketPath: "/socket.io/",
      embedded: true,
      title: "Skriv med os",
      subtitle: "Din koordinator ser det, du skriver",
      inputTextFieldHint: "Skriv her...",
      connectingText: "Forbinder...",
      showMessageDate: (timestamp) =>
        new Date(timestamp).toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit" }),
      hideWhenNotConnected: false,
      customMessageDelay: () => 300,
      params: { storage: "session" },
    },
    box
  );
})();
