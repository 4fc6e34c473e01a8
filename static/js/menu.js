// The site menu collapses behind a "Menu" button at phone widths (Issue 16 item 22).
// Progressive: without this script the button stays hidden (CSS shows it only under
// .menu-ready) and the menu stays open, so every link is still reachable. No inline script
// or handler anywhere (CSP script-src 'self').

const header = document.querySelector("header[data-menu]");
const button = header?.querySelector(".menu-toggle");
const menu = button && document.getElementById(button.getAttribute("aria-controls"));

if (header && button && menu) {
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  // Escape closes an open menu and returns focus to its button.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      setOpen(false);
      button.focus();
    }
  });
  setOpen(false);
  header.classList.add("menu-ready");
}
