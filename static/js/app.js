// TelePT page behaviour. No inline scripts anywhere (CSP script-src 'self').

// Idle logoff, client side: the server signs idle sessions out on the next request; this
// reloads the page when the timeout passes, so a screen left open stops showing patient data.
const idle = Number(document.body.dataset.idleTimeout || 0);
if (idle > 0) {
  let timer;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => window.location.reload(), (idle + 5) * 1000);
  };
  ["click", "keydown", "touchstart"].forEach((name) =>
    document.addEventListener(name, arm, { passive: true }));
  arm();
}
