/* ByteOS SCORM 1.2 runtime.
 *
 * Finds the LMS's API object (walking window.parent, then window.opener, as every LMS
 * expects), plays the page's modules and quiz, and keeps the LMS up to date:
 * cmi.core.lesson_status (incomplete, then passed/failed against the mastery score, or
 * completed when the SCO has no quiz), cmi.core.score.raw/min/max, cmi.core.session_time
 * (HHHH:MM:SS.SS, set once when the session ends), cmi.core.lesson_location and cmi.suspend_data (the compact encoding of
 * engine/scorm/suspend.py, never over 4096 characters), cmi.interactions for every answer
 * checked when the LMS supports them, LMSCommit after each module and whenever the page is
 * hidden, and LMSFinish once, when the page goes away. Without an LMS the course still plays
 * and says that progress is not tracked.
 */
(function () {
  "use strict";

  var LIMIT = 4096;
  var MAX_ATTEMPT = 1295; /* "zz" in base 36 */
  var cfg = JSON.parse(document.getElementById("byteos-sco").textContent);
  var api = null;
  var finished = false;
  var startedAt = Date.now();
  var mastery = cfg.mastery;
  var interactions = false;
  var state = { done: [], attempt: 1, q: [] };
  var current = 0;
  var view = "read";
  var shownAt = {};
  var sections = document.querySelectorAll("section.module");

  /* -- the LMS ------------------------------------------------------------------------ */
  function findAPI(win) {
    var tries = 0;
    try {
      while (win && !win.API && win.parent && win.parent !== win && tries < 500) {
        tries += 1;
        win = win.parent;
      }
      return (win && win.API) || null;
    } catch (e) {
      return null; /* a frame of another origin: not our LMS */
    }
  }

  function getAPI() {
    var found = findAPI(window);
    if (!found && window.opener) {
      try {
        found = findAPI(window.opener);
      } catch (e) {
        found = null;
      }
    }
    return found;
  }

  function ok(result) {
    return String(result) === "true";
  }

  function get(name) {
    var value = api.LMSGetValue(name);
    return value === null || value === undefined ? "" : String(value);
  }

  function set(name, value) {
    return ok(api.LMSSetValue(name, String(value)));
  }

  function lastError() {
    return String(api.LMSGetLastError());
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) {
      s = "0" + s;
    }
    return s;
  }

  function timespan(ms) {
    var cs = Math.min(Math.max(Math.round(ms / 10), 0), 9999 * 360000 + 359999);
    var h = Math.floor(cs / 360000);
    var m = Math.floor((cs % 360000) / 6000);
    var s = Math.floor((cs % 6000) / 100);
    return pad(h, 4) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(cs % 100, 2);
  }

  function clock() {
    var d = new Date();
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2);
  }

  function note(message) {
    var el = document.getElementById("lms-note");
    el.textContent = message;
    el.hidden = false;
  }

  /* -- state and its encoding (engine/scorm/suspend.py) ------------------------------ */
  function encode() {
    var done = state.done.map(function (d) { return d ? "1" : "0"; }).join("");
    var tokens = state.q.map(function (x) { return x ? x.mask.toString(36) + x.flag : ""; });
    return "1|" + done + "|" + Math.min(state.attempt, MAX_ATTEMPT).toString(36) + "|" +
      tokens.join(",");
  }

  function decode(text) {
    var parts = text.split("|");
    if (parts.length !== 4 || parts[0] !== "1" || parts[1].length !== cfg.modules.length) {
      return false;
    }
    var tokens = parts[3] === "" ? [] : parts[3].split(",");
    if (tokens.length !== cfg.questions.length) {
      return false;
    }
    state.done = parts[1].split("").map(function (c) { return c === "1"; });
    state.attempt = parseInt(parts[2], 36) || 1;
    state.q = tokens.map(function (t) {
      if (t === "") {
        return null;
      }
      return { mask: parseInt(t.slice(0, -1), 36) || 0, flag: t.slice(-1) };
    });
    return true;
  }

  function fresh() {
    state.done = cfg.modules.map(function () { return false; });
    state.attempt = 1;
    state.q = cfg.questions.map(function () { return null; });
  }

  function keyMask(i) {
    return cfg.questions[i].key.reduce(function (m, k) { return m | (1 << k); }, 0);
  }

  function letters(mask) {
    var out = [];
    for (var k = 0; k < 26; k += 1) {
      if (mask & (1 << k)) {
        out.push(String.fromCharCode(97 + k));
      }
    }
    return out.join(",");
  }

  function isFinal(x) {
    return !!x && (x.flag === "c" || x.flag === "r" || x.flag === "g");
  }

  function score() {
    var total = cfg.questions.length;
    var right = state.q.filter(function (x) { return x && x.flag === "c"; }).length;
    return total ? Math.round((100 * right) / total) : null;
  }

  function moduleScore(m) {
    var r = cfg.modules[m].q;
    var right = 0;
    for (var i = r[0]; i < r[1]; i += 1) {
      right += state.q[i] && state.q[i].flag === "c" ? 1 : 0;
    }
    return r[1] > r[0] ? Math.round((100 * right) / (r[1] - r[0])) : null;
  }

  function allDone() {
    return state.done.every(function (d) { return d; });
  }

  function status() {
    if (!allDone()) {
      return "incomplete";
    }
    var s = score();
    return s === null ? "completed" : s >= mastery ? "passed" : "failed";
  }

  /* -- talking to the LMS ------------------------------------------------------------ */
  function save() {
    if (!api || finished) {
      return;
    }
    var data = encode();
    if (data.length <= LIMIT) {
      set("cmi.suspend_data", data);
    }
    set("cmi.core.lesson_location", String(current) + (view === "quiz" ? "q" : ""));
  }

  function report() {
    if (!api || finished) {
      return;
    }
    var st = status();
    var s = score();
    if (st !== "incomplete" && s !== null) {
      set("cmi.core.score.min", "0");
      set("cmi.core.score.max", "100");
      set("cmi.core.score.raw", String(s));
    }
    set("cmi.core.lesson_status", st);
  }

  function commit() {
    if (!api || finished) {
      return;
    }
    save();
    set("cmi.core.exit", allDone() && status() !== "failed" ? "" : "suspend");
    api.LMSCommit("");
  }

  function finish() {
    if (!api || finished) {
      return;
    }
    /* once, at the end: some LMSs add session_time to total_time on every commit */
    set("cmi.core.session_time", timespan(Date.now() - startedAt));
    commit();
    finished = true;
    api.LMSFinish("");
  }

  function recordInteraction(i, mask, correct) {
    if (!api || !interactions) {
      return;
    }
    var n = parseInt(get("cmi.interactions._count"), 10);
    var p = "cmi.interactions." + (isNaN(n) ? 0 : n) + ".";
    set(p + "id", cfg.questions[i].id);
    set(p + "type", "choice");
    set(p + "time", clock());
    set(p + "weighting", "1");
    set(p + "student_response", letters(mask));
    set(p + "correct_responses.0.pattern", letters(keyMask(i)));
    set(p + "result", correct ? "correct" : "wrong");
    set(p + "latency", timespan(Date.now() - (shownAt[i] || startedAt)));
  }

  /* -- the page ---------------------------------------------------------------------- */
  function fieldset(i) {
    return document.querySelector('fieldset.q[data-q="' + i + '"]');
  }

  function selection(fs) {
    var mask = 0;
    fs.querySelectorAll("input").forEach(function (input) {
      if (input.checked) {
        mask |= 1 << parseInt(input.value, 10);
      }
    });
    return mask;
  }

  function paintQuestion(i) {
    var fs = fieldset(i);
    var x = state.q[i];
    var key = keyMask(i);
    var inputs = fs.querySelectorAll("input");
    var feedback = fs.querySelector(".feedback");
    var final = isFinal(x);
    inputs.forEach(function (input) {
      var bit = 1 << parseInt(input.value, 10);
      if (x) {
        input.checked = x.flag === "r" || x.flag === "g" ? (key & bit) !== 0 : (x.mask & bit) !== 0;
      } else {
        input.checked = false;
      }
      input.disabled = final;
      input.parentNode.classList.toggle("key", final && (key & bit) !== 0);
    });
    fs.querySelectorAll("button").forEach(function (b) { b.hidden = final; });
    fs.querySelector(".explanation").hidden = !final;
    if (!x) {
      feedback.textContent = "";
    } else if (x.flag === "w") {
      feedback.textContent = "Not quite. Try again, or show the answer.";
    } else if (x.flag === "g") {
      feedback.textContent = "The right answer is marked.";
    } else {
      feedback.textContent = "Correct!";
    }
  }

  function paintModule(m) {
    var section = sections[m];
    var r = cfg.modules[m].q;
    var quiz = section.querySelector(".quiz");
    for (var i = r[0]; i < r[1]; i += 1) {
      paintQuestion(i);
    }
    section.querySelector(".done").hidden = !state.done[m];
    if (quiz) {
      var result = quiz.querySelector(".result");
      var s = moduleScore(m);
      var retake = quiz.querySelector('[data-act="retake"]');
      if (state.done[m]) {
        var passed = s >= mastery;
        result.textContent = "You scored " + s + " % (" + mastery + " % needed): " +
          (passed ? "passed." : "not passed yet.");
        retake.hidden = passed || status() === "passed";
      } else {
        result.textContent = "";
        retake.hidden = true;
      }
    }
  }

  function show(m, v) {
    current = Math.max(0, Math.min(m, sections.length - 1));
    var section = sections[current];
    view = v === "quiz" && section.querySelector(".quiz") ? "quiz" : "read";
    sections.forEach(function (s, k) { s.hidden = k !== current; });
    section.querySelector(".read").hidden = view !== "read";
    var quiz = section.querySelector(".quiz");
    if (quiz) {
      quiz.hidden = view !== "quiz";
    }
    if (view === "quiz") {
      var r = cfg.modules[current].q;
      for (var i = r[0]; i < r[1]; i += 1) {
        shownAt[i] = shownAt[i] || Date.now();
      }
    }
    var nav = document.querySelector("nav.modnav");
    if (nav) {
      nav.querySelector('[data-act="prev"]').disabled = current === 0;
      nav.querySelector('[data-act="next"]').disabled = current === sections.length - 1;
      nav.querySelector(".where").textContent =
        "Module " + (current + 1) + " of " + sections.length;
    }
    paintModule(current);
    window.scrollTo(0, 0);
  }

  function moduleFinished(m) {
    state.done[m] = true;
    report();
    commit(); /* LMSCommit after each module */
    paintModule(m);
  }

  function afterQuestion(i) {
    for (var m = 0; m < cfg.modules.length; m += 1) {
      var r = cfg.modules[m].q;
      if (i >= r[0] && i < r[1]) {
        var all = true;
        for (var k = r[0]; k < r[1]; k += 1) {
          all = all && isFinal(state.q[k]);
        }
        if (all && !state.done[m]) {
          moduleFinished(m);
        } else {
          save();
        }
        return;
      }
    }
  }

  function check(i) {
    var fs = fieldset(i);
    var mask = selection(fs);
    if (!mask) {
      fs.querySelector(".feedback").textContent = "Choose an answer first.";
      return;
    }
    var correct = mask === keyMask(i);
    var x = state.q[i];
    if (!x) {
      state.q[i] = { mask: mask, flag: correct ? "c" : "w" };
    } else if (x.flag === "w" && correct) {
      x.flag = "r";
    }
    recordInteraction(i, mask, correct);
    paintQuestion(i);
    afterQuestion(i);
  }

  function reveal(i) {
    var x = state.q[i];
    if (!x) {
      state.q[i] = { mask: selection(fieldset(i)), flag: "g" };
    } else if (x.flag === "w") {
      x.flag = "g";
    }
    paintQuestion(i);
    afterQuestion(i);
  }

  function retake(m) {
    var r = cfg.modules[m].q;
    for (var i = r[0]; i < r[1]; i += 1) {
      state.q[i] = null;
      shownAt[i] = Date.now();
    }
    state.done[m] = false;
    state.attempt = Math.min(state.attempt + 1, MAX_ATTEMPT);
    report();
    commit();
    show(m, "quiz");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-act]") : null;
    if (!button) {
      return;
    }
    var act = button.getAttribute("data-act");
    var fs = button.closest("fieldset.q");
    if (act === "check" && fs) {
      check(parseInt(fs.getAttribute("data-q"), 10));
    } else if (act === "reveal" && fs) {
      reveal(parseInt(fs.getAttribute("data-q"), 10));
    } else if (act === "quiz") {
      show(current, "quiz");
      save();
    } else if (act === "complete") {
      moduleFinished(current);
    } else if (act === "retake") {
      retake(current);
    } else if (act === "prev" || act === "next") {
      show(current + (act === "next" ? 1 : -1), "read");
      save();
    }
  });

  /* browsers no longer fire unload reliably: commit when hidden, finish on pagehide */
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      commit();
    }
  });
  window.addEventListener("pagehide", finish);

  function start() {
    fresh();
    api = getAPI();
    if (api && !ok(api.LMSInitialize(""))) {
      note("Progress is not tracked: the LMS did not start a session (error " + lastError() +
        ").");
      api = null;
    } else if (!api) {
      note("Progress is not tracked: this course is not running inside an LMS, so answers " +
        "and completion are not recorded.");
    }
    var location = "";
    if (api) {
      var lmsMastery = parseFloat(get("cmi.student_data.mastery_score"));
      if (!isNaN(lmsMastery)) {
        mastery = lmsMastery;
      }
      get("cmi.interactions._children");
      interactions = lastError() === "0";
      if (!decode(get("cmi.suspend_data"))) {
        fresh();
      }
      location = get("cmi.core.lesson_location");
      var lessonStatus = get("cmi.core.lesson_status");
      if (lessonStatus === "not attempted" || lessonStatus === "") {
        set("cmi.core.lesson_status", "incomplete");
      }
    }
    var m = parseInt(location, 10);
    show(isNaN(m) ? 0 : m, location.slice(-1) === "q" ? "quiz" : "read");
  }

  start();
})();
