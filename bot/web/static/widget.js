/* Chat widget of l'Assistant Achats Durables.
 *
 * Talks only to this web app (POST /api/chat); the conversation id lives in an HttpOnly signed
 * cookie minted by the server. Every string from the user or the bot is put in the page with
 * textContent or createTextNode, never as HTML; links keep only http(s) and mailto URLs.
 * The conversation (and any message not yet answered) is kept in sessionStorage, keyed by the
 * server's public fingerprint of the conversation, so it survives a reload.
 */
(function () {
  "use strict";

  var root = document.getElementById("aad");
  if (!root) return;
  var launcher = document.getElementById("aad-launcher");
  var dialog = document.getElementById("aad-dialog");
  var closeButton = document.getElementById("aad-close");
  var newButton = document.getElementById("aad-new");
  var log = document.getElementById("aad-log");
  var typing = document.getElementById("aad-typing");
  var notice = document.getElementById("aad-notice");
  var form = document.getElementById("aad-form");
  var input = document.getElementById("aad-input");
  var group = document.getElementById("aad-group");
  var errorText = document.getElementById("aad-error");
  var maxChars = parseInt(root.getAttribute("data-max-chars"), 10) || 2000;

  var MAX_ENTRIES = 300;
  var WELCOME = {
    text:
      "Bonjour ! Je suis l'assistant des achats publics durables. Dites-moi qui vous êtes et ce " +
      "que vous achetez : je vous indique les obligations qui s'appliquent, avec leurs " +
      "références. Je peux aussi trouver un facilitateur des clauses sociales ou un guichet " +
      "vert, et vous inscrire à une session de la mission SPASER.",
    buttons: [
      { title: "Quelles obligations pour mon achat ?", payload: "Quelles obligations s'appliquent à mon achat ?" },
      { title: "Trouver un guichet vert", payload: "Je cherche le guichet vert de ma région" },
      { title: "S'inscrire à une session SPASER", payload: "Je voudrais m'inscrire à une session de la mission SPASER" }
    ]
  };

  var storeKey = "aad:" + root.getAttribute("data-conversation");
  var state = load();
  var busy = false;
  var retries = 0;
  var retryTimer = null;

  // --- storage -------------------------------------------------------------------------------

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(storeKey) || "null");
      if (saved && Array.isArray(saved.entries) && Array.isArray(saved.pending)) return saved;
    } catch (e) {
      /* unreadable storage: start afresh */
    }
    return { entries: [], pending: [], open: false };
  }

  function save() {
    state.entries = state.entries.slice(-MAX_ENTRIES);
    try {
      window.sessionStorage.setItem(storeKey, JSON.stringify(state));
    } catch (e) {
      /* storage full or disabled: the conversation still works, it just won't survive a reload */
    }
  }

  // --- safe rendering ------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^(https?:\/\/|mailto:)[^\s<>"']+$/i.test(url) ? url : null;
  }

  function link(label, url) {
    var href = safeUrl(url);
    if (!href) return document.createTextNode(label);
    var a = el("a", "fr-link", label);
    a.href = href;
    if (/^https?:/i.test(href)) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.title = label + " – nouvelle fenêtre";
    }
    return a;
  }

  // **bold**, [label](url), bare URLs and e-mail addresses; everything else is text.
  var INLINE =
    /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()"']*[^\s<>()"'.,;:!?»])|([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

  function inline(parent, text) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) parent.appendChild(el("strong", null, match[1]));
      else if (match[2] !== undefined) parent.appendChild(link(match[2], match[3]));
      else if (match[4] !== undefined) parent.appendChild(link(match[4], match[4]));
      else parent.appendChild(link(match[5], "mailto:" + match[5]));
      last = INLINE.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // Line breaks make paragraphs; "- " or "• " lines make a list.
  function richText(parent, text) {
    var list = null;
    String(text).split("\n").forEach(function (line) {
      var item = /^\s*[-•*]\s+(.*)$/.exec(line);
      if (item) {
        if (!list) {
          list = el("ul");
          parent.appendChild(list);
        }
        var li = el("li");
        inline(li, item[1]);
        list.appendChild(li);
        return;
      }
      list = null;
      if (!line.trim()) return;
      var p = el("p");
      inline(p, line);
      parent.appendChild(p);
    });
  }

  function buttonsGroup(buttons) {
    var ul = el("ul", "fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm");
    buttons.forEach(function (b) {
      var li = el("li");
      var button = el("button", "fr-btn fr-btn--secondary fr-btn--sm", b.title);
      button.type = "button";
      button.addEventListener("click", function () {
        send(b.payload, b.title);
      });
      li.appendChild(button);
      ul.appendChild(li);
    });
    return ul;
  }

  function sr(text) {
    return el("span", "fr-sr-only", text);
  }

  function download(file) {
    var p = el("p");
    var a = el("a", "fr-link fr-link--download");
    var blob = new Blob([file.content], { type: file.mime || "text/plain;charset=utf-8" });
    a.href = URL.createObjectURL(blob);
    a.download = file.filename;
    a.textContent = "Télécharger « " + file.filename + " »";
    var kind = /\.ics$/i.test(file.filename) ? "ICS (agenda)" : "TXT";
    a.appendChild(el("span", "fr-link__detail", kind + " – " + Math.max(1, Math.round(blob.size / 1024)) + " ko"));
    p.appendChild(a);
    return p;
  }

  function botBubble(message, extraClass) {
    var div = el("div", "aad-msg aad-msg--bot" + (extraClass ? " " + extraClass : ""));
    div.appendChild(sr("L'assistant : "));
    if (message.text) richText(div, message.text);
    if (message.fichier) div.appendChild(download(message.fichier));
    if (message.buttons && message.buttons.length) div.appendChild(buttonsGroup(message.buttons));
    return div;
  }

  function cardNode(carte) {
    if (!carte.elements || !carte.elements.length) return document.createDocumentFragment();
    var section = el("div", "aad-carte aad-carte--" + carte.type);
    section.appendChild(sr("L'assistant : "));
    if (carte.titre) section.appendChild(el("h3", "aad-carte__title", carte.titre));
    var ul = el("ul", "aad-carte__list");
    carte.elements.forEach(function (item) {
      var li = el("li");
      var card = el("div", "fr-card fr-card--sm fr-card--no-arrow");
      var body = el("div", "fr-card__body");
      var content = el("div", "fr-card__content");
      content.appendChild(el("h4", "fr-card__title", item.titre));
      if (item.texte) {
        var desc = el("div", "fr-card__desc");
        richText(desc, item.texte);
        content.appendChild(desc);
      }
      if (item.sous_titre) {
        var start = el("div", "fr-card__start");
        start.appendChild(el("p", "fr-card__detail", item.sous_titre));
        content.appendChild(start);
      }
      if (item.lien) {
        var end = el("div", "fr-card__end");
        var p = el("p", "fr-card__detail");
        p.appendChild(link(item.lien.titre, item.lien.url));
        end.appendChild(p);
        content.appendChild(end);
      }
      body.appendChild(content);
      if (item.boutons && item.boutons.length) {
        var footer = el("div", "fr-card__footer");
        footer.appendChild(buttonsGroup(item.boutons));
        body.appendChild(footer);
      }
      card.appendChild(body);
      li.appendChild(card);
      ul.appendChild(li);
    });
    section.appendChild(ul);
    if (carte.boutons && carte.boutons.length) section.appendChild(buttonsGroup(carte.boutons));
    return section;
  }

  // One bot turn: a card takes the place of the first message it replaces ("remplace").
  function botTurn(messages) {
    var nodes = [];
    var cards = messages.filter(function (m) { return m.carte; });
    var drawn = [];
    messages.forEach(function (m) {
      var owner = null;
      if (m.text && !m.carte) {
        cards.forEach(function (c) {
          if (!owner && (c.carte.remplace || []).indexOf(m.text) !== -1) owner = c;
        });
      }
      if (owner) {
        if (drawn.indexOf(owner) === -1) {
          drawn.push(owner);
          nodes.push(cardNode(owner.carte));
        }
        return;
      }
      if (m.carte) {
        if (drawn.indexOf(m) === -1) {
          drawn.push(m);
          nodes.push(cardNode(m.carte));
        }
        if (m.text || m.buttons || m.fichier) nodes.push(botBubble({ text: m.text, buttons: m.buttons, fichier: m.fichier }));
        return;
      }
      nodes.push(botBubble(m));
    });
    return nodes;
  }

  function entryNodes(entry) {
    if (entry.from === "user") {
      var div = el("div", "aad-msg aad-msg--user");
      div.appendChild(sr("Vous : "));
      div.appendChild(document.createTextNode(entry.text));
      return [div];
    }
    if (entry.from === "error") return [botBubble({ text: entry.text }, "aad-msg--error")];
    return botTurn(entry.messages || []);
  }

  function append(entry) {
    var nodes = entryNodes(entry);
    nodes.forEach(function (n) { log.appendChild(n); });
    return nodes[0];
  }

  function renderAll() {
    log.textContent = "";
    log.appendChild(botTurn([WELCOME])[0]);
    state.entries.forEach(append);
    log.scrollTop = log.scrollHeight;
  }

  function reveal(node) {
    if (!node || node.nodeType !== 1) return;
    // Show the start of the new answer, not its end: long lists are read from the top.
    log.scrollTop = Math.max(0, node.offsetTop - log.offsetTop - 8);
  }

  // --- notices ---------------------------------------------------------------------------------

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function hideNotice() {
    notice.hidden = true;
    notice.textContent = "";
  }

  function showError(text) {
    errorText.textContent = text;
    errorText.hidden = false;
    group.classList.add("fr-input-group--error");
    input.setAttribute("aria-invalid", "true");
  }

  function clearError() {
    errorText.hidden = true;
    errorText.textContent = "";
    group.classList.remove("fr-input-group--error");
    input.removeAttribute("aria-invalid");
  }

  // --- sending ---------------------------------------------------------------------------------

  function send(message, shown) {
    message = String(message).trim();
    if (!message) {
      showError("Votre message est vide : écrivez votre question.");
      return;
    }
    if (message.length > maxChars) {
      showError("Votre message est trop long : 2 000 caractères au maximum. Raccourcissez-le.");
      return;
    }
    clearError();
    var entry = { from: "user", text: shown || message };
    state.entries.push(entry);
    state.pending.push(message);
    save();
    reveal(append(entry));
    pump();
  }

  function scheduleRetry() {
    var delay = Math.min(30000, 1000 * Math.pow(2, retries));
    retries += 1;
    showNotice("Connexion perdue, nouvelle tentative dans " + Math.round(delay / 1000) + " s… Votre message n'est pas perdu.");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(pump, delay);
  }

  function pump() {
    if (busy || !state.pending.length) return;
    busy = true;
    typing.hidden = false;
    var message = state.pending[0];
    fetch("/api/chat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ message: message })
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () { return {}; })
          .then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (result) {
        busy = false;
        typing.hidden = true;
        if (result.status === 200 && Array.isArray(result.body.messages)) {
          retries = 0;
          hideNotice();
          state.pending.shift();
          var entry = { from: "bot", messages: result.body.messages };
          state.entries.push(entry);
          save();
          reveal(append(entry));
          pump();
          return;
        }
        if (result.body && result.body.reessayer === false && result.status === 504) {
          // Rasa may have processed it: never resend, say so instead.
          retries = 0;
          hideNotice();
        } else if (result.status >= 500 || (result.body && result.body.reessayer)) {
          scheduleRetry();
          return;
        }
        // Refused for good (too long, invalid session…): say why, drop it from the queue.
        state.pending.shift();
        var error = { from: "error", text: (result.body && result.body.erreur) || "Votre message n'a pas pu être envoyé." };
        state.entries.push(error);
        save();
        reveal(append(error));
        pump();
      })
      .catch(function () {
        busy = false;
        typing.hidden = true;
        scheduleRetry();
      });
  }

  window.addEventListener("online", function () {
    if (state.pending.length && !busy) {
      clearTimeout(retryTimer);
      pump();
    }
  });

  // --- dialog ----------------------------------------------------------------------------------

  function open(focus) {
    dialog.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    save();
    log.scrollTop = log.scrollHeight;
    if (focus) input.focus();
  }

  function close() {
    dialog.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (dialog.hidden) open(true);
    else close();
  });
  closeButton.addEventListener("click", close);
  // Full screen (phone, 200 % zoom) the dialog hides the page: it becomes modal and keeps
  // the focus inside; on a large screen it is a side panel and the page stays reachable.
  var fullScreen = window.matchMedia("(max-width: 36em), (max-height: 32em)");

  function syncModal() {
    dialog.setAttribute("aria-modal", fullScreen.matches ? "true" : "false");
  }
  syncModal();
  if (fullScreen.addEventListener) fullScreen.addEventListener("change", syncModal);

  function focusables() {
    return Array.prototype.filter.call(
      dialog.querySelectorAll("button, a[href], textarea, input, [tabindex='0']"),
      function (node) { return !node.disabled && node.getClientRects().length > 0; }
    );
  }

  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab" || !fullScreen.matches) return;
    var nodes = focusables();
    if (!nodes.length) return;
    var first = nodes[0];
    var last = nodes[nodes.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (String(text).trim() && text.length <= maxChars) input.value = "";
    send(text);
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  input.addEventListener("input", function () {
    if (!errorText.hidden) clearError();
  });

  newButton.addEventListener("click", function () {
    fetch("/api/chat/nouvelle", { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        try { window.sessionStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
        storeKey = "aad:" + body.conversation;
        root.setAttribute("data-conversation", body.conversation);
        state = { entries: [], pending: [], open: true };
        save();
        hideNotice();
        renderAll();
        input.focus();
      })
      .catch(function () {
        showNotice("Connexion perdue : impossible d'ouvrir une nouvelle conversation pour le moment.");
      });
  });

  // --- hotline: an agent's reply (or the closing note) appears without the user typing --------

  function pollHotline() {
    if (document.hidden) return;
    fetch("/api/chat/nouveaux", { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .then(function (body) {
        if (!body || !Array.isArray(body.messages) || !body.messages.length) return;
        var entry = { from: "bot", messages: body.messages };
        state.entries.push(entry);
        save();
        reveal(append(entry));
      })
      .catch(function () { /* offline: the next poll tries again */ });
  }
  setInterval(pollHotline, 4000);

  renderAll();
  if (state.open) open(false);
  if (state.pending.length) pump();
})();
