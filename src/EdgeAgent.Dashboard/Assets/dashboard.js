// EdgeAgent dashboard: a little vanilla script, nothing the pages need to be read.
// Shows local times as tooltips and keeps the health badge current.
"use strict";

// The anti-forgery token of a signed-in page (<meta name="csrf-token">); every state-changing fetch sends it as
// X-CSRF-TOKEN, or the dashboard answers 400.
function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// POSTs JSON with the session cookie and the anti-forgery token; resolves to the Response.
function postJson(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    cache: "no-store",
    headers: { "Content-Type": "application/json", "X-CSRF-TOKEN": csrfToken() },
    body: JSON.stringify(body),
  });
}

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

document.addEventListener("DOMContentLoaded", () => {
  localTimes();
  setInterval(refreshHealth, 10000);
});
