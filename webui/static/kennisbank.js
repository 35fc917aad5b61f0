// Progressive enhancement: a "copy" button next to each citation. Without JavaScript the button stays hidden
// and the citation is plain, selectable text.
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(text, element) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on a non-local address: select the text and use the older copy command.
    selectText(element);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function flash(button, message) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = message;
    window.setTimeout(function () { button.textContent = original; }, 2000);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(target.textContent.trim(), target).then(
        function () { flash(button, "Gekopieerd"); },
        function () { selectText(target); flash(button, "Geselecteerd: kopieer met Ctrl+C"); }
      );
    });
  });
})();
