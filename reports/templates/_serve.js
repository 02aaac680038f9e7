// hyoka serve's form (hyoka.serve.app): a file dropped anywhere on the drop area goes into the
// file field, and the chosen file's name is shown. Without script the plain file field works.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var shown = document.getElementById("file-name");
  if (!drop || !input) return;
  function show() { shown.textContent = input.files && input.files.length ? input.files[0].name : ""; }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    drop.addEventListener(type, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; show(); }
  });
});
