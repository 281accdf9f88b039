/** The page's one button style: the header's, the menus' and the dialogs' (its own module, so that
 * what the header holds can use it without importing the header). */
export const buttonClass =
  "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700";
