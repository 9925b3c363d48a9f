// The self-check's steps post in place (fetch), so the browser's history holds only the
// page the person opened: Back leaves the self-check instead of asking to "Confirm Form
// Resubmission". Nothing is written to browser storage; answers stay in the signed form
// fields, as without JavaScript (where the forms post normally).
document.addEventListener("submit", async function (event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !document.body.classList.contains("selfcheck")) return;
  if ((form.method || "").toLowerCase() !== "post") return;
  event.preventDefault();
  const submitter = event.submitter;
  const body = new FormData(form);
  if (submitter && submitter.name) body.append(submitter.name, submitter.value);
  let response;
  try {
    response = await fetch(form.action || window.location.href, {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store",
    });
  } catch (error) {
    form.submit();  // offline or refused: the ordinary post says what happened
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  document.title = page.title;
  // The language switcher posts here too: the new page may be in another language.
  document.documentElement.lang = page.documentElement.lang;
  document.body.replaceWith(document.adoptNode(page.body));
  window.scrollTo(0, 0);
  // An error summary takes focus (its autofocus does not fire on swapped-in content);
  // otherwise the new step's heading, so a screen reader starts at the top.
  const target = document.querySelector("[autofocus]") || document.querySelector("main h1");
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }
});
