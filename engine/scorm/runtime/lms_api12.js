/* ByteOS as the LMS: the SCORM 1.2 API (window.API) a SCO finds in its parent frame.
 *
 * SCOs call the API synchronously and expect an answer at once, but the way to Python
 * (QWebChannel) is asynchronous. So the data model lives here as a cache, filled before
 * the SCO is loaded (the host page carries the session's values and the rules of
 * engine/scorm/cmi.py as JSON in #byteos-boot). LMSGetValue answers from the cache;
 * LMSSetValue checks the value against the same rules (access, format, vocabulary,
 * range, array index), stores it in the cache and sends it to Python, which checks it
 * again before it counts; LMSCommit and LMSFinish send a commit, which Python writes to
 * the database at once. Messages go in order through one channel method, so a commit
 * always arrives after the values it commits. Hiding or leaving the page sends a commit
 * too. Messages sent before the channel is up wait in a queue (the SCO is only loaded
 * once it is up, so in practice none wait).
 */
(function () {
  "use strict";

  var boot = JSON.parse(document.getElementById("byteos-boot").textContent);
  var R = boot.rules;
  var values = boot.values;
  var state = "new"; /* new → running → finished */
  var lastError = 0;
  var bridge = null;
  var queue = [];
  var log = [];

  function send(message) {
    var text = JSON.stringify(message);
    log.push(message.op);
    if (bridge) {
      bridge.push(text);
    } else {
      queue.push(text);
    }
  }

  function pattern(element) {
    return element.replace(/\.(\d+)(?=\.|$)/g, ".n");
  }

  function indexes(element) {
    var m = element.match(/\.(\d+)(?=\.|$)/g) || [];
    return m.map(function (s) {
      return parseInt(s.slice(1), 10);
    });
  }

  function arrayCount(prefix) {
    var head = prefix + ".";
    var found = -1;
    Object.keys(values).forEach(function (key) {
      if (key.indexOf(head) === 0) {
        var index = key.slice(head.length).split(".")[0];
        if (/^\d+$/.test(index)) {
          found = Math.max(found, parseInt(index, 10));
        }
      }
    });
    return found + 1;
  }

  function hasElementUnder(base) {
    return Object.keys(R.elements).some(function (k) {
      return k.indexOf(base + ".") === 0;
    });
  }

  function valueOk(rule, value) {
    if (rule.kind === "vocab") {
      if (rule.vocab.indexOf(value) >= 0) {
        return true;
      }
      return rule.decimal && new RegExp(R.formats.CMIDecimal).test(value);
    }
    if (!new RegExp(R.formats[rule.kind]).test(value)) {
      return false;
    }
    if (rule.range && value !== "") {
      var lim = R.ranges[rule.range];
      var n = parseFloat(value);
      return n >= lim[0] && n <= lim[1];
    }
    return true;
  }

  function indexOk(element) {
    var parts = element.split(".");
    for (var at = 0; at < parts.length; at += 1) {
      if (/^\d+$/.test(parts[at])) {
        if (parseInt(parts[at], 10) > arrayCount(parts.slice(0, at).join("."))) {
          return false;
        }
      }
    }
    return true;
  }

  function getValue(element) {
    element = typeof element === "string" ? element.trim() : "";
    if (!element) return ["", 201];
    var base;
    if (/\._children$/.test(element)) {
      base = pattern(element.replace(/\._children$/, ""));
      if (R.children[base] !== undefined) return [R.children[base], 0];
      return ["", R.elements[base] || hasElementUnder(base) ? 202 : 401];
    }
    if (/\._count$/.test(element)) {
      base = element.replace(/\._count$/, "");
      if (R.arrays.indexOf(pattern(base)) >= 0) return [String(arrayCount(base)), 0];
      return ["", R.elements[pattern(base)] || R.children[base] !== undefined ? 203 : 401];
    }
    if (element === "cmi._version") return ["3.4", 0];
    var rule = R.elements[pattern(element)];
    if (!rule) return ["", 401];
    if (rule.access === "wo") return ["", 404];
    return [values[element] === undefined ? "" : values[element], 0];
  }

  function setValue(element, value) {
    element = typeof element === "string" ? element.trim() : "";
    if (!element) return 201;
    if (/\.(_children|_count|_version)$/.test(element)) {
      var known = pattern(element.replace(/\.[^.]+$/, ""));
      return R.elements[known] || R.children[known] !== undefined ||
        R.arrays.indexOf(known) >= 0 ? 402 : 401;
    }
    var rule = R.elements[pattern(element)];
    if (!rule) return 401;
    if (rule.access === "ro") return 403;
    var text = String(value);
    if (!valueOk(rule, text)) return 405;
    if (indexes(element).length && !indexOk(element)) return 201;
    values[element] = text;
    return 0;
  }

  function running(code) {
    if (state === "running") return true;
    lastError = state === "new" ? code : 101;
    return false;
  }

  window.API = {
    LMSInitialize: function (arg) {
      if (arg !== "" && arg !== undefined && arg !== null) {
        lastError = 201;
        return "false";
      }
      if (state !== "new") {
        lastError = 101;
        return "false";
      }
      state = "running";
      lastError = 0;
      send({ op: "init" });
      return "true";
    },
    LMSFinish: function (arg) {
      if (arg !== "" && arg !== undefined && arg !== null) {
        lastError = 201;
        return "false";
      }
      if (!running(301)) return "false";
      state = "finished";
      lastError = 0;
      send({ op: "finish" });
      return "true";
    },
    LMSGetValue: function (element) {
      if (!running(301)) return "";
      var got = getValue(element);
      lastError = got[1];
      return got[0];
    },
    LMSSetValue: function (element, value) {
      if (!running(301)) return "false";
      lastError = setValue(element, value);
      if (lastError === 0) {
        send({ op: "set", element: element.trim(), value: String(value) });
        return "true";
      }
      return "false";
    },
    LMSCommit: function (arg) {
      if (arg !== "" && arg !== undefined && arg !== null) {
        lastError = 201;
        return "false";
      }
      if (!running(301)) return "false";
      lastError = 0;
      send({ op: "commit" });
      return "true";
    },
    LMSGetLastError: function () {
      return String(lastError);
    },
    LMSGetErrorString: function (code) {
      return R.errors[String(parseInt(code, 10))] || "";
    },
    LMSGetDiagnostic: function (code) {
      var c = code === "" || code === undefined ? lastError : parseInt(code, 10);
      return c ? "SCORM error " + c + ": " + (R.errors[String(c)] || "unknown") : "";
    }
  };

  /* for the player (and its tests): the cache and the messages sent */
  window.byteosLms = {
    values: values,
    state: function () {
      return state;
    },
    sent: log
  };

  function hidden() {
    if (state === "running") send({ op: "commit", reason: "hidden" });
  }
  window.addEventListener("pagehide", hidden);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") hidden();
  });

  function start() {
    var frame = document.getElementById("sco");
    frame.src = boot.launch;
  }

  if (typeof QWebChannel === "function" && window.qt && qt.webChannelTransport) {
    new QWebChannel(qt.webChannelTransport, function (channel) {
      bridge = channel.objects.byteos;
      queue.splice(0).forEach(function (text) {
        bridge.push(text);
      });
      start();
    });
  } else {
    document.getElementById("byteos-offline").hidden = false;
    start();
  }
})();
