/* How ladder-safety.zip was made: the page (index.html in the zip, written for these
   tests) packaged by simple-scorm-packager 0.2.7 (npm, MIT), which wrote the manifest,
   metadata.xml and the XSDs and zipped the folder. To rebuild:
     npm install simple-scorm-packager@0.2.7 && mkdir course && unzip ladder-safety.zip index.html -d course && node build.js */
var scopackager = require("simple-scorm-packager");
scopackager({
  version: "1.2", organization: "ByteOS tests", title: "Ladder safety", language: "en",
  identifier: "ladder.safety.sample", masteryScore: 80, startingPage: "index.html",
  source: "./course",
  package: { version: "1.0.0", zip: true, outputFolder: "./out", date: "2026-12-02",
             author: "ByteOS tests", description: "A one-page SCO packaged by simple-scorm-packager" }
}, function (msg) { console.log(msg); });
