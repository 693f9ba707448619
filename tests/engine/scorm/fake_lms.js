/* A tiny SCORM 1.2 LMS for the tests: window.API keeps the CMI values of one session and
 * records every call (name, arguments, what it returned). Not a full runtime: it checks
 * what the runtime must respect (initialised before use, finished once, values kept). */
function FakeLMS(seed) {
  var data = {
    "cmi.core.student_id": "learner-1",
    "cmi.core.student_name": "Rivera, Sam",
    "cmi.core.lesson_status": "not attempted",
    "cmi.core.entry": "ab-initio",
    "cmi.core.lesson_location": "",
    "cmi.suspend_data": "",
    "cmi.student_data.mastery_score": "80",
    "cmi.interactions._children":
      "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
    "cmi.interactions._count": "0"
  };
  Object.keys(seed || {}).forEach(function (k) { data[k] = seed[k]; });
  var calls = [];
  var phase = "new";
  var error = "0";
  function log(entry, result) {
    calls.push(entry.concat([result]));
    return result;
  }
  this.data = data;
  this.calls = calls;
  this.LMSInitialize = function (arg) {
    if (phase !== "new") { error = "101"; return log(["LMSInitialize", arg], "false"); }
    phase = "running"; error = "0";
    return log(["LMSInitialize", arg], "true");
  };
  this.LMSFinish = function (arg) {
    if (phase !== "running") { error = "301"; return log(["LMSFinish", arg], "false"); }
    phase = "finished"; error = "0";
    return log(["LMSFinish", arg], "true");
  };
  this.LMSGetValue = function (name) {
    if (phase !== "running") { error = "301"; return log(["LMSGetValue", name], ""); }
    error = name in data ? "0" : "201";
    return log(["LMSGetValue", name], name in data ? data[name] : "");
  };
  this.LMSSetValue = function (name, value) {
    if (phase !== "running") { error = "301"; return log(["LMSSetValue", name, value], "false"); }
    data[name] = value;
    var m = /^cmi\.interactions\.(\d+)\.id$/.exec(name);
    if (m && Number(m[1]) >= Number(data["cmi.interactions._count"])) {
      data["cmi.interactions._count"] = String(Number(m[1]) + 1);
    }
    error = "0";
    return log(["LMSSetValue", name, value], "true");
  };
  this.LMSCommit = function (arg) {
    if (phase !== "running") { error = "301"; return log(["LMSCommit", arg], "false"); }
    error = "0";
    return log(["LMSCommit", arg], "true");
  };
  this.LMSGetLastError = function () { return error; };
  this.LMSGetErrorString = function (code) { return "error " + code; };
  this.LMSGetDiagnostic = function (code) { return "diagnostic " + code; };
}
