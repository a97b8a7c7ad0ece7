// The review page: plain JavaScript, no libraries, everything served by `interviews review`.
"use strict";

const state = { data: null, current: 0, anchoring: null };
const $ = (selector) => document.querySelector(selector);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function clock(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.floor(seconds);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

function say(text, isError) {
  const message = $("#message");
  message.textContent = text;
  message.className = isError ? "error" : "";
}

async function request(url, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(url, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

// --- playing ------------------------------------------------------------------------------

function playFrom(seconds) {
  const audio = $("#audio");
  if (seconds === null || seconds === undefined) return;
  const start = () => {
    audio.currentTime = seconds;
    audio.play().catch(() => {});
  };
  if (audio.readyState >= 1) start();
  else audio.addEventListener("loadedmetadata", start, { once: true });
}

function togglePlay() {
  const audio = $("#audio");
  if (audio.paused) audio.play().catch(() => {});
  else audio.pause();
}

function highlightPlaying() {
  const now = $("#audio").currentTime;
  let playing = null;
  for (const segment of document.querySelectorAll(".segment")) {
    const inside = now >= Number(segment.dataset.start) && now < Number(segment.dataset.end);
    segment.classList.toggle("playing", inside);
    if (inside) playing = segment;
  }
  if (playing) playing.scrollIntoView({ block: "nearest" });
}

// --- questions ----------------------------------------------------------------------------

function markCurrent(index) {
  state.current = Math.max(0, Math.min(index, state.data.answers.length - 1));
  document.querySelectorAll(".question").forEach((node, n) => {
    node.classList.toggle("current", n === state.current);
  });
}

function select(index, play) {
  const answers = state.data.answers;
  markCurrent(index);
  const node = document.querySelectorAll(".question")[state.current];
  node.scrollIntoView({ block: "nearest" });
  node.querySelector("h3").focus();
  const answer = answers[state.current];
  const at = answer.question_start ?? answer.start;
  if (play) playFrom(at);
  else if (at !== null && at !== undefined && $("#audio").readyState >= 1) {
    $("#audio").currentTime = at;
  }
}

function describe(answer) {
  const parts = [`status: ${answer.status}`];
  if (answer.start !== null) parts.push(`${clock(answer.start)}–${clock(answer.end)}`);
  parts.push(`confidence ${answer.confidence.toFixed(2)}`);
  if (answer.edited.length) {
    parts.push(`edited (${answer.edited.join(", ")}) by ${answer.edited_by} at ${answer.edited_at}`);
  }
  return parts.join(" · ");
}

function questionCard(answer, index) {
  const statuses = el("select", { class: "status", "aria-label": "Status" });
  for (const status of state.data.statuses) {
    const option = el("option", { value: status }, status);
    if (status === answer.status) option.selected = true;
    statuses.append(option);
  }
  const card = el("article", {
    class: "question",
    id: `q-${answer.question_id}`,
    "data-question": answer.question_id,
  },
    el("h3", { tabindex: "0", onclick: () => select(index, true) },
      `${answer.number}. ${answer.question}`),
    el("div", { class: "meta" }, describe(answer)),
  );
  if (answer.low_confidence) {
    const flags = answer.flags.length ? `; flagged: ${answer.flags.join(", ")}` : "";
    card.classList.add("low");
    card.append(el("div", { class: "warn" }, `Low confidence${flags}: check against the recording`));
  }
  if (answer.heard_question) {
    card.append(el("div", { class: "meta" }, `Heard as: “${answer.heard_question}”`));
  }
  if (answer.machine_answer) {
    card.classList.add("conflict");
    card.append(
      el("div", { class: "warn" }, "A newer machine answer differs from the one you edited:"),
      el("div", { class: "machine" }, answer.machine_answer),
      el("button", { onclick: () => send(answer, "resolve", { keep: "edit" }) }, "Keep my edit"),
      el("button", { onclick: () => send(answer, "resolve", { keep: "machine" }) },
        "Take the machine answer"),
    );
  }
  card.append(
    el("label", {}, "Answer", el("textarea", { class: "answer" })),
    el("label", {}, "Translation (English)", el("textarea", { class: "translation" })),
    el("label", {}, "Status ", statuses),
    el("button", { class: "save", onclick: () => saveAnswer(index) }, "Save"),
    el("button", { class: "reanchor", onclick: () => startAnchoring(answer) }, "Re-anchor"),
  );
  card.querySelector(".answer").value = answer.final_answer;
  card.querySelector(".translation").value = answer.translation;
  return card;
}

function saveAnswer(index) {
  const answer = state.data.answers[index];
  const card = document.querySelectorAll(".question")[index];
  return send(answer, "answer", {
    answer: card.querySelector(".answer").value,
    translation: card.querySelector(".translation").value,
    status: card.querySelector(".status").value,
  });
}

async function send(answer, action, body) {
  return post(answer.question_id, `question ${answer.number}`, action, body);
}

async function post(target, label, action, body) {
  const id = state.data.id;
  try {
    const data = await request(`/api/interviews/${id}/${action}/${target}`,
      { ...body, version: state.data.version });
    render(data, target);
    say(`Saved ${label}`);
  } catch (error) {
    say(`Not saved: ${error.message}`, true);
  }
}

function startAnchoring(answer) {
  state.anchoring = answer;
  document.body.classList.add("anchoring");
  say(`Click the word of the transcript where question ${answer.number} starts (Esc cancels)`);
}

function stopAnchoring() {
  state.anchoring = null;
  document.body.classList.remove("anchoring");
}

// --- transcript and synthesis ---------------------------------------------------------------

function onWord(word) {
  if (state.anchoring) {
    const answer = state.anchoring;
    stopAnchoring();
    send(answer, "anchor", { word: word.i });
  } else {
    playFrom(word.start);
  }
}

function segmentNode(segment) {
  const classes = ["segment"];
  if (segment.low) classes.push("low");
  if (segment.flags.length) classes.push("flagged");
  const title = segment.flags.length ? `flagged: ${segment.flags.join(", ")}` : "";
  const node = el("p", {
    class: classes.join(" "),
    "data-start": segment.start,
    "data-end": segment.end,
    title: title || `confidence ${segment.confidence}`,
  }, el("span", { class: "time", onclick: () => playFrom(segment.start) }, clock(segment.start)));
  for (const word of segment.words) {
    node.append(el("span", {
      class: "word",
      "data-i": word.i,
      onclick: (event) => { event.stopPropagation(); onWord(word); },
    }, word.text));
  }
  node.addEventListener("click", () => playFrom(segment.start));
  return node;
}

function categoryEditor(category) {
  const area = el("textarea", { class: "synthesis", "data-category": category.id });
  area.value = category.synthesis;
  return el("div", { class: "category" },
    el("label", {}, category.name, area),
    el("button", {
      onclick: () => post(category.id, `synthesis of ${category.name}`, "synthesis",
        { text: area.value }),
    }, "Save synthesis"));
}

// Text typed but not saved yet, by field: kept when the page is drawn again after a save.
function unsaved() {
  const kept = new Map();
  if (!state.data) return kept;
  const fields = [
    ...state.data.answers.flatMap((answer) => [
      [`#q-${answer.question_id} .answer`, answer.final_answer],
      [`#q-${answer.question_id} .translation`, answer.translation],
      [`#q-${answer.question_id} .status`, answer.status],
    ]),
    ...state.data.categories.map((c) => [`textarea[data-category="${c.id}"]`, c.synthesis]),
  ];
  for (const [selector, saved] of fields) {
    const node = document.querySelector(selector);
    if (node && node.value !== saved) kept.set(selector, node.value);
  }
  return kept;
}

function render(data, savedTarget) {
  const kept = unsaved();
  for (const selector of [...kept.keys()]) {
    if (selector.includes(`#q-${savedTarget} `) || selector.includes(`"${savedTarget}"`)) {
      kept.delete(selector);
    }
  }
  state.data = data;
  $("#title").textContent = `${data.name} — ${data.role}`;
  document.title = `Review: ${data.name}`;
  const questions = $("#questions");
  questions.replaceChildren(...data.answers.map(questionCard));
  $("#transcript").replaceChildren(...data.segments.map(segmentNode));
  for (const answer of data.answers) {
    if (answer.edited.includes("anchor") && answer.question_start !== null) {
      const start = data.segments.flatMap((s) => s.words).find((w) => w.start >= answer.question_start - 0.001);
      if (start) document.querySelector(`.word[data-i="${start.i}"]`).classList.add("anchored");
    }
  }
  const editor = data.synthesis_edited_by ? ` (last edited by ${data.synthesis_edited_by} at ${data.synthesis_edited_at})` : "";
  $("#categories").replaceChildren(el("p", { class: "meta" }, `Edits are saved as ${data.editor}${editor}.`),
    ...data.categories.map(categoryEditor));
  markCurrent(state.current);
  for (const [selector, value] of kept) {
    const node = document.querySelector(selector);
    if (node) node.value = value;
  }
}

// --- keys and start -------------------------------------------------------------------------

function typing(target) {
  return ["TEXTAREA", "INPUT", "SELECT"].includes(target.tagName);
}

function onKey(event) {
  if (!state.data) return;
  if (event.key === "Escape") { stopAnchoring(); say(""); return; }
  if ((event.ctrlKey || event.metaKey) && event.key === "s") {
    event.preventDefault();
    saveAnswer(state.current);
    return;
  }
  if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === " " && event.target.tagName === "BUTTON") return;
  const keys = {
    " ": togglePlay,
    n: () => select(state.current + 1, false),
    ArrowDown: () => select(state.current + 1, false),
    p: () => select(state.current - 1, false),
    ArrowUp: () => select(state.current - 1, false),
  };
  const action = keys[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
}

async function showList() {
  $("#list").hidden = false;
  const list = await request("/api/interviews");
  $("#interviews").replaceChildren(...list.map((item) => el("li", {},
    item.aligned ? el("a", { href: `/interview/${item.id}` }, item.name) : `${item.name} (not aligned yet)`,
    ` — ${item.role}`)));
}

async function showInterview(id) {
  $("#page").hidden = false;
  const data = await request(`/api/interviews/${id}`);
  render(data);
  const audio = $("#audio");
  audio.src = data.audio;
  audio.addEventListener("timeupdate", highlightPlaying);
  audio.addEventListener("seeked", highlightPlaying);
  document.addEventListener("keydown", onKey);
  // Typing in a question's box makes it the current one (for Ctrl+S and N/P).
  document.addEventListener("focusin", (event) => {
    const card = event.target.closest(".question");
    if (card) markCurrent([...document.querySelectorAll(".question")].indexOf(card));
  });
  window.addEventListener("beforeunload", (event) => {
    if (unsaved().size) event.preventDefault();
  });
  document.body.dataset.ready = "true";
}

async function start() {
  const match = location.pathname.match(/^\/interview\/([\w.-]+)$/);
  try {
    if (match) await showInterview(match[1]);
    else await showList();
  } catch (error) {
    say(error.message, true);
  }
}

start();
