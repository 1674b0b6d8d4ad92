// A booth's QR code opened this page with the code filled in: send it straight away.
const form = document.getElementById("checkin-form");
if (form?.dataset.auto === "1" && form.elements.code.value) form.requestSubmit();
