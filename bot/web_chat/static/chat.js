// The chat page: shows the bot's messages and sends the visitor's, through /chat/api/.
// Every text from the server is set with textContent: nothing it sends is read as HTML.
"use strict";

(function () {
  const NOTICE_SECONDS = 10;
  const RETRY_SECONDS = 2;
  const state = {
    csrf: "",
    chatId: 0,
    after: 0,
    queue: [],
    sending: false,
    recorder: null,
    recordStarted: 0,
  };
  const $ = (id) => document.getElementById(id);
  const messages = $("messages");
  const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  let noticeTimer = 0;
  function notice(text) {
    const box = $("notice");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { box.hidden = true; }, NOTICE_SECONDS * 1000);
  }

  // Rendering

  const STYLES = { bold: "strong", italic: "em", underline: "u", code: "code", pre: "pre" };

  function safeLink(href) {
    try {
      const url = new URL(href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  // A link that opens outside the page, or null if ``href`` is not a web address.
  function externalLink(href) {
    const safe = safeLink(href);
    if (!safe) return null;
    const node = document.createElement("a");
    node.href = safe;
    node.target = "_blank";
    node.rel = "noopener noreferrer";
    return node;
  }

  // Text with its Telegram entities (offsets in UTF-16 units, as JavaScript strings count).
  function renderText(parent, text, entities) {
    const marks = (entities || [])
      .filter((e) => STYLES[e.type] || e.type === "text_link" || e.type === "url")
      .sort((a, b) => a.offset - b.offset);
    let at = 0;
    for (const mark of marks) {
      if (mark.offset < at) continue; // nested marks are shown as plain text
      parent.appendChild(document.createTextNode(text.slice(at, mark.offset)));
      const piece = text.slice(mark.offset, mark.offset + mark.length);
      const href = mark.type === "text_link" ? mark.url : mark.type === "url" ? piece : "";
      const node = externalLink(href) || document.createElement(STYLES[mark.type] || "span");
      node.textContent = piece;
      parent.appendChild(node);
      at = mark.offset + mark.length;
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function fileUrl(fileId) {
    return "api/files/" + encodeURIComponent(fileId);
  }

  function renderMessage(message) {
    const bubble = document.createElement("div");
    const mine = message.from && message.from.id === state.chatId;
    bubble.className = "bubble " + (mine ? "mine" : "bot");
    bubble.dataset.id = String(message.message_id);
    if (message.photo && message.photo.length) {
      const img = document.createElement("img");
      img.src = fileUrl(message.photo[message.photo.length - 1].file_id);
      img.alt = "照片";
      bubble.appendChild(img);
    }
    if (message.voice) {
      const audio = document.createElement("audio");
      audio.controls = true;
      audio.src = fileUrl(message.voice.file_id);
      bubble.appendChild(audio);
    }
    if (message.document) {
      const link = document.createElement("a");
      link.href = fileUrl(message.document.file_id);
      link.textContent = "📄 " + (message.document.file_name || "文件");
      bubble.appendChild(link);
    }
    if (message.contact) {
      bubble.appendChild(document.createTextNode("📞 " + message.contact.phone_number));
    }
    const text = message.text !== undefined ? message.text : message.caption;
    if (text) {
      const body = document.createElement("div");
      renderText(body, text, message.text !== undefined ? message.entities : message.caption_entities);
      bubble.appendChild(body);
    }
    if (message.edit_date) {
      const edited = document.createElement("span");
      edited.className = "edited";
      edited.textContent = "（已更新）";
      bubble.appendChild(edited);
    }
    const markup = message.reply_markup || {};
    if (markup.inline_keyboard) {
      bubble.appendChild(renderInline(message.message_id, markup.inline_keyboard));
    }
    return bubble;
  }

  function renderInline(messageId, rows) {
    const box = document.createElement("div");
    box.className = "buttons";
    for (const row of rows) {
      const line = document.createElement("div");
      line.className = "row";
      for (const button of row) {
        let node = button.url ? externalLink(button.url) : null;
        if (!node) {
          node = document.createElement("button");
          node.type = "button";
          if (typeof button.callback_data === "string") {
            node.addEventListener("click", () => {
              enqueue("api/press", { message_id: messageId, data: button.callback_data });
            });
          } else {
            node.disabled = true;
          }
        }
        node.textContent = button.text;
        line.appendChild(node);
      }
      box.appendChild(line);
    }
    return box;
  }

  function showKeyboard(markup) {
    const box = $("keyboard");
    if (markup.remove_keyboard) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    if (!markup.keyboard) return;
    box.replaceChildren();
    for (const row of markup.keyboard) {
      const line = document.createElement("div");
      line.className = "row";
      for (const key of row) {
        const label = typeof key === "string" ? key : key.text;
        const node = document.createElement("button");
        node.type = "button";
        node.textContent = label;
        node.addEventListener("click", () => {
          if (key.request_contact) {
            $("phone-form").hidden = false;
            $("phone").focus();
            return;
          }
          if (markup.one_time_keyboard) box.hidden = true;
          enqueue("api/send", { text: label }, label);
        });
        line.appendChild(node);
      }
      box.appendChild(line);
    }
    box.hidden = false;
  }

  function apply(event) {
    const payload = event.payload;
    const existing = payload.message_id !== undefined
      ? messages.querySelector('[data-id="' + Number(payload.message_id) + '"]')
      : null;
    if (event.kind === "message" || event.kind === "edit") {
      const bubble = renderMessage(payload);
      if (existing) existing.replaceWith(bubble);
      else if (event.kind === "message") messages.appendChild(bubble);
      if (event.kind === "message" && payload.reply_markup) showKeyboard(payload.reply_markup);
    } else if (event.kind === "delete") {
      if (existing) existing.remove();
    } else if (event.kind === "popup") {
      notice(payload.text);
    }
  }

  // Fetching news

  async function poll() {
    let first = true;
    for (;;) {
      try {
        const response = await fetch("api/events?after=" + state.after + (first ? "&wait=0" : ""), { credentials: "same-origin" });
        if (!response.ok) throw new Error(String(response.status));
        const body = await response.json();
        const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
        for (const event of body.events) {
          apply(event);
          state.after = event.id;
        }
        if (body.events.length && (atBottom || first)) window.scrollTo(0, document.body.scrollHeight);
        if (first && state.after === 0) enqueue("api/start", {});
        first = false;
      } catch (error) {
        await sleep(RETRY_SECONDS);
      }
    }
  }

  // Sending: one at a time, in order; each with a key, so a post sent again is stored once.

  function enqueue(path, body, restore) {
    state.queue.push({ path, body: Object.assign({ key: newKey() }, body), restore });
    drain();
  }

  function enqueueFile(kind, blob, name, duration) {
    const form = new FormData();
    form.append("key", newKey());
    form.append("kind", kind);
    if (duration) form.append("duration", String(duration));
    form.append("file", blob, name);
    state.queue.push({ path: "api/upload", form });
    drain();
  }

  async function drain() {
    if (state.sending) return;
    state.sending = true;
    try {
      while (state.queue.length) {
        const item = state.queue[0];
        const done = await sendOne(item);
        if (done) state.queue.shift();
      }
    } finally {
      state.sending = false;
    }
  }

  // True once the post is stored or refused for good; false to try it again.
  async function sendOne(item) {
    let response;
    try {
      response = await fetch(item.path, {
        method: "POST",
        credentials: "same-origin",
        headers: item.form
          ? { "X-CSRF-Token": state.csrf }
          : { "X-CSRF-Token": state.csrf, "Content-Type": "application/json" },
        body: item.form || JSON.stringify(item.body),
      });
    } catch (error) {
      await sleep(RETRY_SECONDS);
      return false;
    }
    if (response.ok) return true;
    let refusal = {};
    try {
      refusal = await response.json();
    } catch (error) {
      refusal = {};
    }
    if (refusal.error) notice(refusal.error);
    if (response.status === 429 || response.status >= 500) {
      await sleep(refusal.retry_after || RETRY_SECONDS);
      return false;
    }
    if (item.restore && !$("text").value) $("text").value = item.restore;
    return true;
  }

  // The visitor's tools

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    enqueue("api/send", { text }, text);
  });

  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });

  $("phone-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const phone = $("phone").value.trim();
    const name = $("name").value.trim();
    if (!phone) return;
    $("phone").value = "";
    $("phone-form").hidden = true;
    $("keyboard").hidden = true;
    enqueue("api/contact", { phone, name });
  });
  $("phone-cancel").addEventListener("click", () => { $("phone-form").hidden = true; });

  $("photo").addEventListener("change", () => {
    const file = $("photo").files[0];
    $("photo").value = "";
    if (file) enqueueFile("photo", file, file.name || "photo");
  });

  const recordButton = $("record");
  if (!window.MediaRecorder || !navigator.mediaDevices) {
    recordButton.disabled = true;
    recordButton.textContent = "🎤 这个浏览器不能录音";
  }
  recordButton.addEventListener("click", async () => {
    if (state.recorder) {
      state.recorder.stop();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      notice("没有拿到麦克风：请在浏览器里允许使用麦克风，或者打字。");
      return;
    }
    const recorder = new MediaRecorder(stream);
    const chunks = [];
    recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      const seconds = Math.max(1, Math.round((Date.now() - state.recordStarted) / 1000));
      const blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      state.recorder = null;
      recordButton.classList.remove("recording");
      recordButton.textContent = "🎤 录音";
      enqueueFile("voice", blob, "voice", seconds);
    });
    state.recorder = recorder;
    state.recordStarted = Date.now();
    recorder.start();
    recordButton.classList.add("recording");
    recordButton.textContent = "⏹ 说完了，发送录音";
  });

  async function begin() {
    for (;;) {
      try {
        const response = await fetch("api/session", { credentials: "same-origin" });
        const body = await response.json();
        if (!response.ok) {
          notice(body.error || "请刷新页面。");
          return;
        }
        state.csrf = body.csrf;
        state.chatId = body.chat_id;
        if (body.village) {
          $("village").textContent = "您的村：" + body.village;
          $("village").hidden = false;
        }
        break;
      } catch (error) {
        await sleep(RETRY_SECONDS);
      }
    }
    poll();
  }

  begin();
})();
