/** The F1 help page. */
import { C } from './colors.js';
import { plain, type StyledLine } from './text-view.js';

const TEXT = `How to use tsysdig
1. you can either see real time data, or analyze a capture file by using the -r command line flag.
2. you can switch to a different view by using the F2 key.
3. You can drill down into a selection by pressing enter. You can navigate back by pressing backspace.
4. you can observe reads and writes (F5) or see sysdig events (F6) for any selection.

Drilling down
You drill down by selecting an element in a view and then pressing enter. Once inside a selection, you can switch to a different view, and the new view will be applied in the context of the selection. For example, if you drill down into a process called foo and then switch to the Connections view, the output will include only the connections made or received by foo.

To drill down multiple times, keep pressing enter. For example, you can press enter on a container in the Containers view to get the processes running inside it, and then on one of the processes to see its threads.

In list views (Lifecycle, Alerts, File Opens List...) every row is one event: enter opens the sysdig output of that row's process (on an alert, of its thread) for a few seconds around the event, with the event highlighted. Live, this comes from the last seconds of events kept in memory. F2 on such a row offers the views of its process (its children, files, connections...) filtered to it.

Actions and Hotkeys
Each view has a list of command lines that can be executed in the context of the current selection by pressing 'hotkeys'. For example, pressing 'k' in the Processes view kills the selected process. The selected row's values replace the %field names of the command, shell-quoted. F8 lists the actions of the view.

Replaying captures
With -r FILE, every change of view, selection or filter replays the capture from its start; the table shows the whole capture.

Keyboard Shortcuts for the Views Window
 Arrows: scroll the table         CTRL+F /: search (CTRL+N: next match)
     F2: switch view                  F4 \\: filter (free text, F2 in the prompt: sysdig expression)
  Enter: drill down                  F10 q: quit
Bkspace: drill up                   CTRL+C: quit
   F5 e: echo FDs for selection         F7: see info page for the selected view
   F6 d: sysdig output for selection     p: pause screen updates
 ? F1 h: show this help screen          F8: open the view's actions panel
<shift>1-9: sort column <n>             F9: open the column sort panel
    F12: spectrogram for selection     < >: sort by the previous/next column
Shift+F12: file I/O spectrogram          F3: overview (charts)
      A: the Alerts view (with --rules or --default-rules; the header counts alerts by priority)

Keyboard Shortcuts for the 'Echo' and 'Sysdig' Windows
 Arrows: scroll the page          CTRL+F /: search
Bkspace: drill up                 CTRL+N /: find next
     F2: choose buffer print format      p: pause visualization
  DEL c: clear the screen           CTRL+G: go to line

Keyboard Shortcuts for the Overview (F3)
     F2: switch view                     p: pause
Bkspace Esc: back                     q: quit
Event rate, CPU of the busiest processes, network and file bytes per second as line charts over the last intervals; alerts per minute and the last alerts (with --rules or --default-rules); the top containers. Without colour (NO_COLOR, or a terminal with fewer than 8 colours) the charts are sparklines and figures.

Keyboard Shortcuts for the Spectrogram Window
     F2: switch view                     p: pause
Bkspace: drill up               PgUp/PgDn: scroll the history

Mouse Usage
Clicking on column headers lets you sort the table.
Double clicking on row entries performs a drill down.
Clicking on the filter string at the top of the screen lets you change the sysdig filter.
You can use the mouse on the entries in the menu at the bottom of the screen to perform their respective actions.`;

export function helpLines(version: string): StyledLine[] {
  const titles = new Set([
    'How to use tsysdig',
    'Drilling down',
    'Actions and Hotkeys',
    'Replaying captures',
    'Keyboard Shortcuts for the Views Window',
    "Keyboard Shortcuts for the 'Echo' and 'Sysdig' Windows",
    'Keyboard Shortcuts for the Overview (F3)',
    'Keyboard Shortcuts for the Spectrogram Window',
    'Mouse Usage',
  ]);
  const out: StyledLine[] = [plain(`tsysdig ${version}. See docs/user-guide.md for full documentation`, C.label), plain('Note: you can scroll this page by using the keyboard arrows.'), []];
  for (const l of TEXT.split('\n')) out.push(plain(l, titles.has(l) ? C.label : C.normal));
  return out;
}
