// vivier: progressive enhancement only (every form works without JavaScript).
// Clicking a CPV suggestion adds its code to the need form's CPV field.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-cpv]");
  if (!button) return;
  var field = document.getElementById("cpv");
  var codes = field.value.split(/[\s,;]+/).filter(Boolean);
  if (codes.indexOf(button.dataset.cpv) < 0) codes.push(button.dataset.cpv);
  field.value = codes.join(" ");
  var list = document.getElementById("cpv-suggestions");
  if (list) list.innerHTML = "";
  var search = document.getElementById("cpv-recherche");
  if (search) { search.value = ""; search.focus(); }
  var status = document.getElementById("cpv-statut");
  if (status) status.textContent = "Code " + button.dataset.cpv + " ajouté : " + button.dataset.label;
});
