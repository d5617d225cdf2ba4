// Bowsprit deck: the small amount of script the pages use; every page works without it.
"use strict";

function pollJobList() {
  const table = document.getElementById("joblist");
  if (!table) return;
  const status = document.getElementById("joblist-status");
  let version = table.dataset.version;
  const tick = async () => {
    const query = new URLSearchParams(window.location.search);
    query.set("v", version);
    try {
      const response = await fetch("/joblist.json?" + query.toString(), { cache: "no-store" });
      if (response.ok) {
        const data = await response.json();
        if (data.version !== version) {
          version = data.version;
          table.dataset.version = version;
          // The server rendered and escaped the rows.
          table.tBodies[0].innerHTML = data.rows;
          if (status) status.textContent = data.count + " jobs; updated " + new Date().toLocaleTimeString() + ".";
        }
      }
    } catch (error) { /* deck restarting: try again at the next tick */ }
    window.setTimeout(tick, document.hidden ? 15000 : 3000);
  };
  window.setTimeout(tick, 3000);
}

function loadFolds() {
  document.querySelectorAll("details.fold[data-src]").forEach((fold) => {
    fold.addEventListener("toggle", async () => {
      if (!fold.open || fold.dataset.loaded) return;
      fold.dataset.loaded = "1";
      const response = await fetch(fold.dataset.src);
      if (response.ok) fold.insertAdjacentHTML("beforeend", await response.text());
    });
  });
}

// Line anchors: #<artifact>:<n> or #<artifact>:<a>-<b> (shift-click extends the range).
function lineAnchors() {
  const select = () => {
    document.querySelectorAll(".line.selected").forEach((l) => l.classList.remove("selected"));
    const match = /^#(.+):(\d+)(?:-(\d+))?$/.exec(decodeURIComponent(window.location.hash));
    if (!match) return;
    const [, artifact, a, b] = match;
    const from = Number(a), to = Number(b || a);
    let first = null;
    for (let n = Math.min(from, to); n <= Math.max(from, to); n++) {
      const line = document.getElementById(artifact + ":" + n);
      if (line) { line.classList.add("selected"); first = first || line; }
      if (line && line.parentElement.tagName === "DETAILS") line.parentElement.open = true;
    }
    if (first) first.scrollIntoView({ block: "center" });
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".line .n");
    if (!link || !event.shiftKey) return;
    const current = /^#(.+):(\d+)/.exec(decodeURIComponent(window.location.hash));
    const [artifact, n] = link.getAttribute("href").slice(1).split(/:(?=\d+$)/);
    if (current && current[1] === artifact) {
      event.preventDefault();
      window.location.hash = artifact + ":" + current[2] + "-" + n;
    }
  });
  window.addEventListener("hashchange", select);
  select();
}

function localTimes() {
  document.querySelectorAll("time[data-epoch]").forEach((t) => {
    const seconds = Number(t.dataset.epoch);
    if (seconds) t.textContent = new Date(seconds * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
  });
}

function branding() {
  const header = document.querySelector(".top[data-header-color]");
  if (header && /^#[0-9a-fA-F]{3,8}$/.test(header.dataset.headerColor)) header.style.background = header.dataset.headerColor;
}

document.addEventListener("DOMContentLoaded", () => {
  pollJobList();
  loadFolds();
  lineAnchors();
  localTimes();
  branding();
});
