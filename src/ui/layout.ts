/**
 * Screen geometry, as csysdig lays it out:
 *
 *   row 0        Viewing: <view> For: <selection>            (status)
 *   row 1        Source: <capture> Filter: <filter>
 *   row 2        table header / function bar
 *   rows 3..h-2  table rows, text, spectrogram
 *   row h-1      function-key menu (or a prompt) and the position N/M
 *
 * Side menus (views, sort, actions) take the left columns of rows 2..h-2.
 */

/** First row below the two header lines (csysdig TABLE_Y_START). */
export const TABLE_Y = 2;
/** Width of the views and sort menus (VIEW_SIDEMENU_WIDTH) and of the actions menu. */
export const VIEW_MENU_WIDTH = 20;
export const ACTION_MENU_WIDTH = 30;
/** Smallest screen the UI draws on; below it a notice asks for a bigger terminal. */
export const MIN_WIDTH = 40;
export const MIN_HEIGHT = 8;

export interface Layout {
  width: number;
  height: number;
  /** Rows available to the table, header row included (csysdig m_h). */
  tableHeight: number;
  /** The footer row. */
  footerY: number;
}

export function layout(width: number, height: number): Layout {
  return { width, height, tableHeight: Math.max(1, height - TABLE_Y - 1), footerY: height - 1 };
}
