// Lines that start another recognizer's format (crash prompts and headers, ps listings, /proc/PID/stack):
// a console block, and the text a console report's title is read from, end before them.

const FOREIGN_RE = /^(?:(?:KERNEL|DUMPFILE|CPUS|NODENAME|LOAD AVERAGE): |PID: {1,4}\d{1,10} {1,4}TASK: |crash> |\s{0,4}#\d{1,4} \[[0-9a-f]{6,16}\] |\s{0,4}PID {1,6}PPID {1,6}CPU|USER {1,8}PID {1,6}%CPU|\S{0,64}[$#] {1,2}cat \/proc\/|cat \/proc\/\d|\[<0{1,16}>\] |\S{0,64}[$#] {1,2}(?:sudo {1,2})?(?:ps|cat|dmesg|journalctl|for|echo|grep|crash) |\s{0,8}PID {1,6}(?:STAT|S|PPID|TID|LWP) )/;
// (a shell prompt running a command, or a ps -o header: a console report never contains one)

export function isForeignLine(text: string): boolean {
  return FOREIGN_RE.test(text);
}
