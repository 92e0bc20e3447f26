// Drives the first QuorumScope embed of embed-example.html through its postMessage API and
// logs the events both embeds post back (see the README's "Embedding" section).

const first = document.getElementById('embed-a');
const log = document.getElementById('event-log');
const clock = document.getElementById('clock');
let playing = true;
let next = 1;

/** Sends a command to the first embed; the reply (ack or error) carries the same id. */
function send(command, args = {}) {
  first.contentWindow?.postMessage(
    { source: 'quorumscope', type: 'command', command, id: next++, ...args },
    '*',
  );
}

function note(text) {
  const li = document.createElement('li');
  li.textContent = text;
  log.append(li);
  while (log.children.length > 40) log.firstElementChild.remove();
  log.scrollTop = log.scrollHeight;
}

window.addEventListener('message', (e) => {
  const m = e.data;
  // Only the two embeds on this page, and only QuorumScope's envelope.
  const frames = [first, document.getElementById('embed-b')].map((f) => f.contentWindow);
  if (!frames.includes(e.source) || !m || m.source !== 'quorumscope') return;
  const who = m.embedId ?? '?';
  if (m.type === 'event' && m.event === 'time') {
    if (who === 'five') {
      clock.textContent = `${(m.t_ms / 1000).toFixed(2)} s${m.playing ? '' : ' (paused)'}`;
      playing = m.playing;
    }
    return;
  }
  if (m.type === 'event' && m.event === 'ready' && who === 'five') {
    // A tenth of real time: an election takes a few seconds instead of half a minute.
    send('setSpeed', { speed: 0.1 });
  }
  if (m.type === 'event') {
    const { source, type, event, embedId, ...rest } = m;
    note(`${who}: ${event} ${JSON.stringify(rest)}`);
  } else if (m.type === 'ack') {
    note(`${who}: ack ${m.command} #${m.id}`);
  } else if (m.type === 'error') {
    note(`${who}: error ${m.command} #${m.id}: ${m.message}`);
  }
});

document.getElementById('kill-leader').addEventListener('click', () => send('crash', { node: 'leader' }));
document.getElementById('partition').addEventListener('click', () =>
  send('partition', { groups: [[1, 2], [3, 4, 5]] }),
);
document.getElementById('heal').addEventListener('click', () => send('heal'));
document.getElementById('play-pause').addEventListener('click', () => {
  send(playing ? 'pause' : 'play');
  playing = !playing;
});
