"""SCORM packages in the style of authoring tools' output, built in the test (not ours):
a SCORM 1.2 "Articulate/iSpring-style" course — launch page ``index_lms.html`` in a
subfolder, slide data in a separate script, its own API-finding code (``findAPI`` walking
``window.parent`` at most 7 times, then ``window.opener``), resume from
``cmi.suspend_data``/``lesson_location``, a scored quiz, ``session_time`` and
``LMSFinish`` — and helpers to build good and broken zips."""

from __future__ import annotations

import io
import zipfile

MANIFEST_12 = b"""<?xml version="1.0" standalone="no" ?>
<manifest identifier="com.articulate.sample.x7Yt" version="1.3"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org_1">
    <organization identifier="org_1">
      <title>Workplace Safety Basics</title>
      <item identifier="item_1" identifierref="res_1" isvisible="true">
        <title>Safety at work</title>
        <adlcp:masteryscore>75</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_1" type="webcontent" adlcp:scormtype="sco"
      href="scormcontent/index_lms.html">
      <file href="scormcontent/index_lms.html"/>
      <file href="scormcontent/lib/scormdriver.js"/>
      <file href="scormcontent/data/slides.js"/>
      <file href="scormcontent/story.css"/>
    </resource>
  </resources>
</manifest>"""

INDEX = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Workplace Safety Basics</title>
<link rel="stylesheet" href="story.css">
<script src="lib/scormdriver.js"></script>
<script src="data/slides.js"></script>
</head><body>
<header><h1>Workplace Safety Basics</h1></header>
<main id="stage"><h2 id="slide-title">Loading</h2><p id="slide-body"></p></main>
<footer><button id="prev" onclick="player.prev()">Previous</button>
<button id="next" onclick="player.next()">Next</button>
<span id="where"></span></footer>
<noscript>This course needs JavaScript.</noscript>
<img id="beacon" alt="" src="https://cdn.example.com/track.gif">
<script>
var player = (function () {
  var slide = 0, answers = [], started = new Date();
  function show() {
    var s = SLIDES[slide];
    document.getElementById("slide-title").textContent = s.title;
    document.getElementById("slide-body").textContent = s.text;
    document.getElementById("where").textContent = "Slide " + (slide + 1) + " of " + SLIDES.length;
  }
  function save() {
    SCORM_SetBookmark(String(slide));
    SCORM_SetDataChunk(JSON.stringify({ s: slide, a: answers }));
    SCORM_CommitData();
  }
  function start() {
    SCORM_Initialize();
    var chunk = SCORM_GetDataChunk();
    if (chunk) { var d = JSON.parse(chunk); slide = d.s; answers = d.a; }
    if (SCORM_GetStatus() === "not attempted") { SCORM_SetStatus("incomplete"); }
    show();
  }
  return {
    start: start,
    slide: function () { return slide; },
    answers: function () { return answers; },
    next: function () { if (slide < SLIDES.length - 1) { slide += 1; show(); save(); } },
    prev: function () { if (slide > 0) { slide -= 1; show(); save(); } },
    answer: function (ok) { answers.push(ok ? 1 : 0); save(); },
    leave: function () { SCORM_SetExit("suspend"); SCORM_Finish(started); },
    submit: function () {
      var right = answers.filter(function (a) { return a === 1; }).length;
      var score = Math.round(100 * right / answers.length);
      SCORM_SetScore(score);
      SCORM_SetStatus(score >= 75 ? "passed" : "failed");
      SCORM_SetExit("");
      SCORM_Finish(started);
      return score;
    }
  };
})();
window.onload = player.start;
</script>
</body></html>"""

DRIVER = b"""/* scormdriver.js: the SCORM 1.2 part of an authoring tool's LMS driver */
var API_HANDLE = null;
function findAPI(win) {
  var tries = 0;
  while (win.API == null && win.parent != null && win.parent != win) {
    tries++;
    if (tries > 7) { return null; }
    win = win.parent;
  }
  return win.API;
}
function getAPI() {
  if (API_HANDLE) { return API_HANDLE; }
  var api = findAPI(window);
  if (api == null && window.opener != null) { api = findAPI(window.opener); }
  API_HANDLE = api;
  return api;
}
function SCORM_Initialize() { var a = getAPI(); return a ? a.LMSInitialize("") : "false"; }
function SCORM_GetDataChunk() { return getAPI().LMSGetValue("cmi.suspend_data"); }
function SCORM_SetDataChunk(v) { return getAPI().LMSSetValue("cmi.suspend_data", v); }
function SCORM_SetBookmark(v) { return getAPI().LMSSetValue("cmi.core.lesson_location", v); }
function SCORM_GetStatus() { return getAPI().LMSGetValue("cmi.core.lesson_status"); }
function SCORM_SetStatus(v) { return getAPI().LMSSetValue("cmi.core.lesson_status", v); }
function SCORM_SetExit(v) { return getAPI().LMSSetValue("cmi.core.exit", v); }
function SCORM_CommitData() { return getAPI().LMSCommit(""); }
function SCORM_SetScore(v) {
  var a = getAPI();
  a.LMSSetValue("cmi.core.score.min", "0");
  a.LMSSetValue("cmi.core.score.max", "100");
  return a.LMSSetValue("cmi.core.score.raw", String(v));
}
function pad(n, w) { n = String(n); while (n.length < w) { n = "0" + n; } return n; }
function SCORM_Finish(started) {
  var s = Math.max(1, Math.round((new Date() - started) / 1000));
  var t = pad(Math.floor(s / 3600), 4) + ":" + pad(Math.floor(s / 60) % 60, 2) + ":" +
    pad(s % 60, 2);
  var a = getAPI();
  a.LMSSetValue("cmi.core.session_time", t);
  return a.LMSFinish("");
}
"""

SLIDES = b"""var SLIDES = [
  {"title": "Why safety matters",
   "text": "Most workplace injuries come from slips, trips and falls."},
  {"title": "Report hazards", "text": "Report a hazard to your supervisor as soon as you see it."},
  {"title": "Fire exits",
   "text": "Keep fire exits clear at all times; never prop fire doors open."},
  {"title": "Quiz", "text": "Answer the questions to finish the course."}
];
"""

CSS = (
    b"body { font-family: sans-serif; background: #f4f7fb; color: #1b2733; margin: 24px; }\n"
    b"header h1 { color: #0b5cad; } main { background: #fff; padding: 16px; }\n"
)


def zip_of(files: dict[str, bytes], **info: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zi = zipfile.ZipInfo(name)
            zi.compress_type = zipfile.ZIP_DEFLATED
            for key, value in info.items():
                setattr(zi, key, value)
            zf.writestr(zi, data)
    return buffer.getvalue()


def storyline_files(**overrides: bytes) -> dict[str, bytes]:
    files = {
        "imsmanifest.xml": MANIFEST_12,
        "scormcontent/index_lms.html": INDEX,
        "scormcontent/lib/scormdriver.js": DRIVER,
        "scormcontent/data/slides.js": SLIDES,
        "scormcontent/story.css": CSS,
    }
    files.update(overrides)
    return files
