// Fills in a story's coverage comparison, which the server computes after sending the page.
// The fragment is the server's own autoescaped HTML (templates/_coverage.html).
for (const section of document.querySelectorAll("section.coverage[data-src]")) {
  fetch(section.dataset.src)
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
    .then((html) => { section.outerHTML = html; })
    .catch(() => { section.querySelector("p").textContent = "The comparison could not be loaded: reload the page to try again."; });
}
