"""SCORM 1.2 export: a course as a zip that any SCORM 1.2 LMS plays and tracks, offline.

Pure logic (no Qt, no SQL, no network): the course description (``model.py``), the pages and
CSS (``render.py``), the compact ``cmi.suspend_data`` encoding and its 4096-character check
(``suspend.py``), ``imsmanifest.xml`` (``manifest.py``), the checks every package passes
(``validate.py``) and the assembly and zip (``package.py``); ``importer.py`` reads and checks
a package someone else made, before an import stores anything; ``sco_text.py`` takes the
visible text of its pages. Playing one: the LMS-side data model (``cmi.py``), an attempt
across sessions and the learning events it means (``attempt.py``), and the player's host
page (``player_host.py``) with its ``window.API`` (``runtime/lms_api12.js``). The exported
packages' JavaScript runtime is ``runtime/scorm12.js``; the four SCORM 1.2 XSDs as
published by ADL/IMS are in ``schemas/``.

**One SCO per module (the default), or one SCO for the whole course.** In SCORM 1.2 the LMS
tracks each *item* of the organisation separately (its own lesson_status, score,
suspend_data, time), and the issue asks for an item per module, so by default each module is
its own SCO (``m01.html``, ``m02.html`` …) and:

* the LMS's own table of contents lists and launches the modules, and reports show where a
  learner is module by module;
* each module's quiz is scored on its own against the course's mastery score
  (``adlcp:masteryscore`` on every item with a quiz); a module without a quiz is
  ``completed`` once read;
* each SCO's suspend_data covers one module, so even long courses stay far below the 4096
  characters SCORM 1.2 allows (the check is per SCO), which is why the limit rarely refuses;
* a learner who leaves halfway resumes inside the module (``lesson_location`` + suspend_data).

The cost: the course-level result is the LMS's roll-up of the modules (all completed/passed
for SCORM Cloud and Moodle's "all SCOs"; some LMSs only handle single-SCO 1.2 packages well).
For those, ``sco_mode="single"`` puts every module in one SCO (``index.html``, one item) with
its own module navigation and one score over all questions; its suspend_data covers the whole
course and the export refuses, with a message, a course whose worst case would not fit.

**What a learner's answer is worth.** The first answer to each question counts for the
score (raw 0–100, min 0, max 100); the learner may try again until right or ask for the
answer, and the explanation is shown either way. A failed quiz can be taken again (a new
attempt, the module's answers cleared).
"""

from engine.scorm.importer import ImportedSco, ScormImport, ScormImportError, inspect_package
from engine.scorm.model import (
    SUSPEND_DATA_LIMIT,
    Branding,
    ModuleMedia,
    ScoMode,
    ScormCourse,
    ScormExportError,
    ScormModule,
)
from engine.scorm.package import Package, ScoInfo, build_package, write_zip
from engine.scorm.validate import ScormPackageError, href_problem, validate_package

__all__ = [
    "SUSPEND_DATA_LIMIT",
    "Branding",
    "ImportedSco",
    "ModuleMedia",
    "Package",
    "ScoInfo",
    "ScoMode",
    "ScormCourse",
    "ScormExportError",
    "ScormImport",
    "ScormImportError",
    "ScormModule",
    "ScormPackageError",
    "build_package",
    "href_problem",
    "inspect_package",
    "validate_package",
    "write_zip",
]
