/* The scripted learner's tools; scenario.js (written by the test) calls run(...) */
function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

function load(frame, href) {
  return new Promise(function (resolve) {
    frame.onload = function () { resolve(); };
    frame.src = href;
  });
}

function page(doc) {
  var cfg = JSON.parse(doc.getElementById("byteos-sco").textContent);
  return {
    doc: doc,
    cfg: cfg,
    click: function (selector) { doc.querySelector(selector).click(); },
    choose: function (q, indexes) {
      doc.querySelectorAll('fieldset.q[data-q="' + q + '"] input').forEach(function (input) {
        input.checked = indexes.indexOf(Number(input.value)) >= 0;
      });
    },
    right: function (q) { return cfg.questions[q].key; },
    wrong: function (q) {
      var key = cfg.questions[q].key;
      for (var i = 0; i < cfg.questions[q].n; i += 1) {
        if (key.indexOf(i) < 0) { return [i]; }
      }
      return [];
    },
    answer: function (q, indexes) {
      this.choose(q, indexes);
      this.click('fieldset.q[data-q="' + q + '"] [data-act="check"]');
    },
    reveal: function (q) { this.click('fieldset.q[data-q="' + q + '"] [data-act="reveal"]'); },
    text: function (selector) { return doc.querySelector(selector).textContent; },
    visible: function (selector) {
      var el = doc.querySelector(selector);
      return !!el && !el.hidden && !el.closest("[hidden]");
    }
  };
}

/* one LMS session: a fresh API (seeded), the SCO loaded, the learner's steps, then the
   learner leaves (the frame navigates away: pagehide) */
async function session(href, seed, steps) {
  var lms = makeLMS(seed || {});
  window.API = seed === null ? undefined : lms.api; /* null: no LMS at all */
  var frame = document.getElementById("sco");
  await load(frame, href);
  await wait(50);
  var seen = await steps(page(frame.contentDocument));
  await wait(50);
  await load(frame, "about:blank");
  await wait(50);
  return { calls: lms.calls, data: lms.data(), seen: seen || {} };
}

async function run(scenario) {
  var out = document.getElementById("result");
  try {
    out.textContent = JSON.stringify(await scenario());
  } catch (e) {
    out.textContent = JSON.stringify({ error: String(e && e.stack || e) });
  }
}

/* the SCO in a window of its own (LMSs that launch in a new window): it finds the API
   through window.opener */
async function popupSession(href, seed, steps) {
  var lms = makeLMS(seed || {});
  window.API = lms.api;
  var win = window.open(href, "sco", "width=900,height=700");
  await new Promise(function (resolve) { win.addEventListener("load", resolve); });
  await wait(50);
  var seen = await steps(page(win.document));
  /* the learner leaves: the window moves on (as on closing it, pagehide ends the session;
     a navigation is awaited reliably where a close is not, under virtual time) */
  await new Promise(function (resolve) {
    var timer = setInterval(function () {
      try {
        if (win.location.href === "about:blank" && win.document.readyState === "complete") {
          clearInterval(timer);
          resolve();
        }
      } catch (e) { /* not yet */ }
    }, 20);
    win.location.href = "about:blank";
  });
  await wait(50);
  win.close();
  return { calls: lms.calls, data: lms.data(), seen: seen || {} };
}
