// Write FullCalendar 6's styles out as a plain stylesheet: v6 injects them from JS as <style>
// rules, which our CSP (style-src 'self') refuses; the page links this file instead. Its icon
// font is a data: URL, which font-src 'self' refuses too: it is written beside the CSS.
// Usage: node bin/fullcalendar-css.js node_modules/fullcalendar/index.global.js OUT.css
const fs = require("fs");
const path = require("path");

const [source, target] = process.argv.slice(2);
const js = fs.readFileSync(source, "utf8");
// Each plugin's CSS is one string literal `var css_248z... = "..."`, in injection order.
let css = [...js.matchAll(/var css_248z\S* = ("(?:[^"\\]|\\.)*");/g)]
  .map((m) => JSON.parse(m[1])).join("\n");
if (!css.includes(".fc-timegrid")) throw new Error(`no FullCalendar styles found in ${source}`);
css = css.replace(/url\("data:application\/x-font-ttf;charset=utf-8;base64,([A-Za-z0-9+/=]+)"\)/,
  (_, data) => {
    fs.writeFileSync(path.join(path.dirname(target), "fcicons.ttf"), Buffer.from(data, "base64"));
    return 'url("fcicons.ttf")';
  });
if (css.includes("data:application/x-font-ttf")) throw new Error("icon font not written out");
fs.writeFileSync(target, css + "\n");
