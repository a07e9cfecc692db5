/**
 * Preact pieces the admin app and the agent console share (`@cw/client-core/ui`).
 * Kept apart from the framework-free entry point, which the widget also imports.
 */
export { bindLanguageSelect, LanguageSelect, useLanguage, type LanguageSelectProps } from './language-select.js';
