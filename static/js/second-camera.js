// The patient's visit page: "Use your phone as a second camera". Asks the server for a pass
// (a short code and a signed link, valid 10 minutes, used once; views_camera.camera_pass)
// and shows its QR code (SVG made by the server, never an image service) and the code to
// type. When it runs out, the button makes a new one.

const main = document.getElementById("visit");
const $ = (id) => document.getElementById(id);
const tr = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);
const config = JSON.parse(main.dataset.config);
const csrf = main.dataset.csrf;
let expiryTimer = 0;

function showExpiry(until) {
  clearInterval(expiryTimer);
  const tick = () => {
    const left = Math.max(0, Math.round((until - Date.now()) / 1000));
    if (!left) {
      clearInterval(expiryTimer);
      $("camera-pass").hidden = true;
      $("camera-pass-expiry").textContent = "";
      $("camera-pass-error").textContent = tr("The code has expired. Make a new one if you still need it.");
      return;
    }
    const minutes = Math.ceil(left / 60);
    $("camera-pass-expiry").textContent = tr("The code works once, for %(minutes)s more minutes.")
      .replace("%(minutes)s", String(minutes));
  };
  tick();
  expiryTimer = setInterval(tick, 5000);
}

async function makePass() {
  const button = $("camera-pass-make");
  button.disabled = true;
  $("camera-pass-error").textContent = "";
  let response;
  let body = {};
  try {
    response = await fetch(config.cameraPassUrl, {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: "{}",
    });
    body = await response.json().catch(() => ({}));
  } catch (err) {
    response = null;
  } finally {
    button.disabled = false;
  }
  if (!response || !response.ok) {
    $("camera-pass").hidden = true;
    $("camera-pass-error").textContent = body.message || tr("Could not make a code. Please try again.");
    return;
  }
  $("camera-qr").innerHTML = body.svg;  // the server's own SVG of the link (no script in it)
  $("camera-code").textContent = body.code;
  $("camera-code-url").textContent = body.codeUrl;
  $("camera-qr").dataset.url = body.url;
  $("camera-pass").hidden = false;
  button.textContent = tr("Make a new code");
  showExpiry(Date.now() + body.expiresIn * 1000);
}

if ($("camera-pass-make")) $("camera-pass-make").addEventListener("click", makePass);
