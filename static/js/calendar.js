// The staff calendar's time grid (/schedule/): FullCalendar 6 (static/vendor/fullcalendar/)
// fed by the JSON endpoints of telept/scheduling/views_calendar.py. No inline script (CSP):
// everything it needs is on #cal-grid's data attributes.
//
// Time zones: FullCalendar shows a named zone only with a plugin we do not ship, so the grid
// runs in its "UTC" mode on the practice's *wall clock*: the server sends local date-times
// without an offset, and every Date here reads that wall clock through its UTC fields
// (wallOf). "Now" is the practice's now, from the server, kept as a skew from this clock.

(() => {
  const el = document.getElementById("cal-grid");
  if (!el || !window.FullCalendar) return;
  const cfg = el.dataset;
  const wrap = el.closest("[data-cal-grid]");
  const filters = document.querySelector("form.filters");
  const message = document.getElementById("cal-message");
  const VIEWS = { day: "timeGridDay", week: "timeGridWeek" };
  const STEP = 15; // minutes a keyboard move goes by (the booking grid's step)

  let skew = Date.parse(cfg.now + "Z") - Date.now();
  const now = () => new Date(Date.now() + skew);
  const wallOf = (date) => date.toISOString().slice(0, 19);
  const when = new Intl.DateTimeFormat("en-US", {
    weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit",
    timeZone: "UTC",
  });
  const clock = new Intl.DateTimeFormat("en-US", {
    hour: "numeric", minute: "2-digit", timeZone: "UTC",
  });

  function say(text, isError = false) {
    message.textContent = text;
    message.classList.toggle("cal-message-error", isError);
  }

  function filterParams() {
    const params = new URLSearchParams();
    for (const name of ["provider", "location"]) {
      const value = filters && filters.elements[name] ? filters.elements[name].value : "";
      if (value) params.set(name, value);
    }
    return params;
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" },
                                        credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.message || "The calendar could not be loaded.");
    return body;
  }

  function source(url) {
    return (info, ok, fail) => {
      const params = filterParams();
      params.set("start", info.startStr.slice(0, 10));
      params.set("end", info.endStr.slice(0, 10));
      getJson(`${url}?${params}`).then((body) => {
        if (body.now) skew = Date.parse(body.now + "Z") - Date.now();
        ok(body.events);
      }).catch((error) => { say(error.message, true); fail(error); });
    };
  }

  // --- moving a visit (drag, or Alt+arrows then Enter) -----------------------------------
  let focusAfter = null;

  async function move(event, start, revert) {
    const props = event.extendedProps;
    const body = new URLSearchParams({ start: wallOf(start), version: props.version });
    say(`Moving ${event.title} to ${when.format(start)}…`);
    let response;
    let answer;
    try {
      response = await fetch(props.moveUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": cfg.csrf, Accept: "application/json" },
      });
      answer = await response.json();
    } catch (error) {
      answer = { message: "The server did not answer, so the visit stays where it was." };
    }
    if (response && response.ok) {
      focusAfter = answer.event.id;
      say(answer.message);
      calendar.refetchEvents();
      return;
    }
    revert();
    say(`${event.title} stays at ${props.when}. ${answer.message || ""}`.trim(), true);
    if (answer.code === "stale") calendar.refetchEvents();
  }

  let pending = null; // {id, minutes}: a keyboard move chosen but not yet confirmed

  function onVisitKey(event, key) {
    const props = event.extendedProps;
    const arrows = { ArrowUp: -STEP, ArrowDown: STEP, ArrowLeft: -1440, ArrowRight: 1440 };
    if (key.altKey && key.key in arrows) {
      key.preventDefault();
      if (!props.moveUrl) {
        say(`${event.title} cannot be moved from the calendar.`, true);
        return;
      }
      if (!pending || pending.id !== event.id) pending = { id: event.id, minutes: 0 };
      pending.minutes += arrows[key.key];
      const target = new Date(event.start.getTime() + pending.minutes * 60000);
      say(`Move ${event.title} to ${when.format(target)}? Enter moves it, Escape keeps it.`);
    } else if (key.key === "Enter" && pending && pending.id === event.id && pending.minutes) {
      key.preventDefault(); // confirm the move instead of opening the visit
      const target = new Date(event.start.getTime() + pending.minutes * 60000);
      pending = null;
      move(event, target, () => {});
    } else if (key.key === "Escape" && pending) {
      pending = null;
      say(`${event.title} stays at ${props.when}.`);
    }
  }

  // --- booking from an empty slot ------------------------------------------------------------
  function book(start) {
    if (!cfg.bookUrl) return;
    if (start < now()) {
      say("That time has passed. Choose a later one.", true);
      return;
    }
    const params = filterParams();
    params.set("start", wallOf(start));
    window.location.assign(`${cfg.bookUrl}?${params}`);
  }

  function text(className, value) {
    const node = document.createElement("div");
    node.className = className;
    node.textContent = value;
    return node;
  }

  function visitContent(arg) {
    const props = arg.event.extendedProps;
    const everyone = !(filters && filters.elements.provider && filters.elements.provider.value);
    const meta = [props.modalityLabel, props.visitType];
    if (props.location) meta.push(props.location);
    if (everyone) meta.push(props.provider);
    const nodes = [text("cal-ev-title", arg.event.title), text("cal-ev-time", arg.timeText),
                   text("cal-ev-meta", meta.join(" · "))];
    if (props.statusLabel) nodes.push(text("cal-ev-status", props.statusLabel));
    // What a screen reader needs besides the visible words (the day, who, the keys).
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = `, ${props.when}, ${props.modalityLabel}, ${props.visitType}`
      + `${props.location ? ", " + props.location : ""}, with ${props.provider}`;
    nodes.push(hidden);
    return { domNodes: nodes };
  }

  function mountVisit(arg) {
    const event = arg.event;
    arg.el.setAttribute("aria-describedby", "cal-keys");
    arg.el.dataset.testid = "calendar-visit";
    arg.el.dataset.appointment = event.id;
    arg.el.addEventListener("keydown", (key) => onVisitKey(calendar.getEventById(event.id) || event, key));
    if (focusAfter === event.id) {
      focusAfter = null;
      arg.el.focus();
    }
  }

  function mountShade(arg) {
    const event = arg.event;
    arg.el.dataset.testid = `calendar-${event.extendedProps.kind}`;
    if (event.extendedProps.kind !== "open" || !cfg.bookUrl) return;
    // Keyboard users reach empty time through the open hours: Enter books from their start.
    const from = event.start < now() ? null : event.start;
    arg.el.tabIndex = 0;
    arg.el.setAttribute("role", "button");
    arg.el.setAttribute("aria-label", `${event.title}, ${when.format(event.start)} to `
      + `${clock.format(event.end)}. Press Enter to book a visit in these hours.`);
    arg.el.addEventListener("keydown", (key) => {
      if (key.key !== "Enter" && key.key !== " ") return;
      key.preventDefault();
      book(from || event.start);
    });
  }

  function initialView() {
    if (VIEWS[cfg.view]) return VIEWS[cfg.view];
    return window.innerWidth < 700 ? VIEWS.day : VIEWS.week;
  }

  const calendar = new FullCalendar.Calendar(el, {
    timeZone: "UTC", now, nowIndicator: true,
    initialView: initialView(), initialDate: cfg.date || undefined,
    firstDay: 1, allDaySlot: false, height: "auto", expandRows: true,
    slotDuration: "00:30:00", snapDuration: "00:15:00", slotMinTime: "07:00:00",
    slotMaxTime: "20:00:00", scrollTime: "08:00:00",
    slotLabelFormat: { hour: "numeric", minute: "2-digit", meridiem: "short" },
    eventTimeFormat: { hour: "numeric", minute: "2-digit", meridiem: "short" },
    dayHeaderFormat: { weekday: "short", day: "numeric", month: "short" },
    headerToolbar: { left: "prev,today,next", center: "title", right: "timeGridDay,timeGridWeek" },
    // Words, not the icon font (its glyphs are images without a name to a screen reader).
    buttonIcons: false,
    buttonText: { prev: "‹ Previous", next: "Next ›", today: "Today", day: "Day", week: "Week" },
    editable: true, eventDurationEditable: false, eventOverlap: true,
    eventSources: [
      { id: "shading", events: source(cfg.availabilityUrl) },
      { id: "visits", events: source(cfg.eventsUrl) },
    ],
    eventContent: (arg) => (arg.event.display === "background" ? true : visitContent(arg)),
    eventDidMount: (arg) => (arg.event.display === "background" ? mountShade(arg)
                                                                 : mountVisit(arg)),
    eventDrop: (info) => move(info.event, info.event.start, info.revert),
    dateClick: (info) => book(info.date),
    datesSet: (info) => {
      const view = info.view.type === VIEWS.day ? "day" : "week";
      const date = (view === "day" ? info.startStr : wallOf(calendar.getDate())).slice(0, 10);
      if (filters && filters.elements.view) filters.elements.view.value = view;
      const hidden = document.getElementById("cal-date");
      if (hidden) hidden.value = date;
      const url = new URL(window.location.href);
      url.searchParams.set("view", view);
      url.searchParams.set("date", date);
      window.history.replaceState(null, "", url);
    },
    eventsSet: (events) => {
      // Widen the hours shown when a visit falls outside 7 AM - 8 PM, and to the current
      // time when today is shown (a late or early look still finds the now line).
      let first = 7;
      let last = 20;
      for (const event of events) {
        if (event.display === "background" || !event.start || !event.end) continue;
        first = Math.min(first, event.start.getUTCHours());
        last = Math.max(last, event.end.getUTCHours() + (event.end.getUTCMinutes() ? 1 : 0));
      }
      const current = now();
      const shown = calendar.view;
      if (shown && current >= shown.activeStart && current < shown.activeEnd) {
        first = Math.min(first, current.getUTCHours());
        last = Math.max(last, current.getUTCHours() + 1);
      }
      const min = `${String(first).padStart(2, "0")}:00:00`;
      const max = `${String(Math.min(last, 24)).padStart(2, "0")}:00:00`;
      if (calendar.getOption("slotMinTime") !== min) calendar.setOption("slotMinTime", min);
      if (calendar.getOption("slotMaxTime") !== max) calendar.setOption("slotMaxTime", max);
    },
  });

  wrap.hidden = false;
  calendar.render();
  const fallback = document.querySelector("[data-cal-fallback]");
  if (fallback) fallback.hidden = true;

  if (filters) {
    filters.addEventListener("change", (change) => {
      const name = change.target.name;
      if (name === "view" && VIEWS[change.target.value]) {
        calendar.changeView(VIEWS[change.target.value]);
      } else if (name === "provider" || name === "location") {
        const url = new URL(window.location.href);
        url.searchParams.set(name, change.target.value);
        window.history.replaceState(null, "", url);
        calendar.refetchEvents();
      }
    });
  }
})();
