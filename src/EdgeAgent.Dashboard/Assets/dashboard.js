// EdgeAgent dashboard: a little vanilla script, nothing the pages need to be read.
// Shows local times as tooltips, keeps the health badge current and drives the review queue's keys.
"use strict";

function localTimes() {
  for (const t of document.querySelectorAll("time[datetime]")) {
    const at = new Date(t.getAttribute("datetime"));
    if (!isNaN(at)) t.title = at.toLocaleString();
  }
}

async function refreshHealth() {
  const badge = document.getElementById("health");
  if (!badge) return;
  try {
    const response = await fetch("/api/health", { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(response.status);
    const health = await response.json();
    badge.className = "health " + health.state;
    document.getElementById("health-state").textContent = health.state;
    document.getElementById("health-problems").textContent = health.problems.join("; ");
    badge.title = "updated " + new Date(health.at).toLocaleTimeString();
  } catch (e) {
    badge.className = "health stalled";
    document.getElementById("health-state").textContent = "dashboard unreachable";
    document.getElementById("health-problems").textContent = "";
  }
}

// The review queue: one key per decision. The focused entry is the one decided; after a decision the next
// undecided entry takes the focus. Keys typed into the comment box are text, not commands.
function reviewEntries() {
  return [...document.querySelectorAll(".review-entry:not(.decided)")];
}

function focusEntry(entry) {
  if (!entry) return;
  for (const e of document.querySelectorAll(".review-entry.current")) e.classList.remove("current");
  entry.classList.add("current");
  entry.focus();
  entry.scrollIntoView({ block: "nearest" });
}

function currentEntry() {
  return document.querySelector(".review-entry.current:not(.decided)") || reviewEntries()[0];
}

async function decide(entry, decision) {
  const review = document.getElementById("review");
  const status = entry.querySelector(".decision-status");
  const form = entry.querySelector("form.decide");
  const body = { decision: decision, defectClass: form.defectClass.value || null, comment: form.comment.value || null };
  status.textContent = "storing…";
  try {
    const response = await fetch("/api/verdicts/" + encodeURIComponent(entry.dataset.id) + "/decision", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-TOKEN": review.dataset.csrf },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      status.textContent = "NOT stored (" + response.status + "): " + text;
      entry.classList.add("refused");
      return;
    }
    entry.classList.remove("refused");
    entry.classList.add("decided");
    status.textContent = "decided " + decision;
    focusEntry(reviewEntries()[0]);
  } catch (e) {
    status.textContent = "NOT stored: the dashboard is unreachable";
    entry.classList.add("refused");
  }
}

function reviewKeys(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const typing = event.target.closest && event.target.closest("input, textarea");
  if (typing) {
    if (event.key === "Escape") currentEntry()?.focus();
    return;
  }
  const entry = currentEntry();
  if (!entry) return;
  const entries = reviewEntries();
  const at = entries.indexOf(entry);
  if (event.key === "o" || event.key === "n") {
    event.preventDefault();
    decide(entry, event.key === "o" ? "OK" : "NG");
  } else if (event.key === "j" || event.key === "ArrowDown") {
    event.preventDefault();
    focusEntry(entries[Math.min(at + 1, entries.length - 1)]);
  } else if (event.key === "k" || event.key === "ArrowUp") {
    event.preventDefault();
    focusEntry(entries[Math.max(at - 1, 0)]);
  } else if (event.key === "c") {
    event.preventDefault();
    entry.querySelector("input[name=comment]").focus();
  } else if (/^[1-9]$/.test(event.key)) {
    const select = entry.querySelector("select[name=defectClass]");
    if (Number(event.key) < select.options.length) {
      event.preventDefault();
      select.selectedIndex = Number(event.key);
    }
  }
}

function startReview() {
  const review = document.getElementById("review");
  if (!review) return;
  for (const entry of review.querySelectorAll(".review-entry")) {
    entry.addEventListener("focus", () => focusEntry(entry));
    for (const button of entry.querySelectorAll("button[data-decision]")) {
      button.addEventListener("click", () => decide(entry, button.dataset.decision));
    }
  }
  document.addEventListener("keydown", reviewKeys);
  focusEntry(reviewEntries()[0]);
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes();
  startReview();
  setInterval(refreshHealth, 10000);
});
