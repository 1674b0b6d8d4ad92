// A live rank on the quest map: poll the player's standing while the page is visible.
const slug = document.querySelector("script[data-quest]").dataset.quest;
const rank = document.getElementById("my-rank");
const score = document.getElementById("my-score");

async function refresh() {
  if (document.hidden) return;
  try {
    const r = await fetch(`/api/quests/${encodeURIComponent(slug)}/leaderboard/me?around=0`, { credentials: "same-origin" });
    if (!r.ok) return;
    const me = await r.json();
    if (me.rank) {
      rank.textContent = `#${me.rank} / ${me.total}`;
      score.textContent = me.score;
    }
  } catch {
    // offline for a moment: keep the last figures
  }
}
setInterval(refresh, 15000);
document.addEventListener("visibilitychange", refresh);
