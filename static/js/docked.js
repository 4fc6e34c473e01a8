// A note docked beside the video (an iframe of the visit page): links that leave the note
// open in a new tab, so the call in the parent page is never navigated away. Forms stay
// in the frame (saving and signing come back to the note), and so do links within this
// page (the skip link) and links marked data-docked="stay" (between the draft and its
// editor: a second tab would put the same draft in two places).
if (document.body.classList.contains("docked")) {
  for (const link of document.querySelectorAll("a[href]")) {
    if (link.dataset.docked === "stay") continue;
    const [page, hash] = link.href.split("#");
    if (hash !== undefined && page === location.href.split("#")[0]) continue;
    link.target = "_blank";
    link.rel = "noopener";
  }
}
