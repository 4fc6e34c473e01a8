// A note docked beside the video (an iframe of the visit page): links that leave the note
// open in a new tab, so the call in the parent page is never navigated away. Forms stay
// in the frame (saving and signing come back to the note).
if (document.body.classList.contains("docked")) {
  for (const link of document.querySelectorAll("a[href]")) {
    if (link.dataset.docked === "stay") continue;
    link.target = "_blank";
    link.rel = "noopener";
  }
}
