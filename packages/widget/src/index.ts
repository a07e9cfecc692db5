/**
 * The embed script (GET /widget.js). Bundled as an IIFE: it defines the
 * custom element `contact-widget` and nothing else on the page's global scope.
 * Loading it twice is harmless.
 */
import { makeElement, scriptOrigin } from './element.js';

if (typeof customElements !== 'undefined' && !customElements.get('contact-widget')) {
  customElements.define('contact-widget', makeElement(scriptOrigin()));
}
