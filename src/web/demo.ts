/**
 * The demo page's UI (bundled into demo.js with TensorFlow.js): loads ./model/ and shows the task.
 * `document.body.dataset.state` is loading → ready → busy → ready (or error), for people and tests.
 */
import * as tf from '@tensorflow/tfjs';
import { load, type SeqnetModel } from './infer.js';
import { attentionView, forecastView, unsupportedTask } from './demo_views.js';

interface Sample {
  text?: string;
  rows?: Record<string, number>[];
  dates?: string[];
}

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;
const el = (tag: string, attrs: Record<string, string> = {}, text = ''): HTMLElement => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
};
const state = (s: string) => (document.body.dataset.state = s);

function languageModel(app: HTMLElement, m: SeqnetModel, sample: Sample): void {
  app.innerHTML = `
    <label for="prime">Prime</label>
    <textarea id="prime" rows="2" spellcheck="false"></textarea>
    <div class="row">
      <label>Temperature <input id="temperature" type="range" min="0" max="2" step="0.05" value="0.8"> <span id="tval" class="num">0.80</span></label>
      <label>Length <input id="length" type="number" min="1" max="2000" value="200"></label>
      <label>Seed <input id="seed" type="number" min="0" value="1"></label>
      <button id="go">Generate</button>
    </div>
    <div id="output" class="out"></div>
    <p class="muted" id="note">Temperature 0 is greedy decoding; the same seed gives the same text.</p>`;
  const prime = $<HTMLTextAreaElement>('#prime');
  prime.value = sample.text ?? '';
  const t = $<HTMLInputElement>('#temperature');
  t.oninput = () => ($('#tval').textContent = Number(t.value) === 0 ? 'greedy' : Number(t.value).toFixed(2));
  $<HTMLButtonElement>('#go').onclick = async () => {
    const go = $<HTMLButtonElement>('#go');
    go.disabled = true;
    state('busy');
    const out = $('#output');
    out.replaceChildren(el('span', { class: 'prime' }, prime.value));
    const gen = el('span', { id: 'generated' });
    out.append(gen);
    const opts = { temperature: Number(t.value), length: Number($<HTMLInputElement>('#length').value), seed: Number($<HTMLInputElement>('#seed').value) };
    const t0 = performance.now();
    let n = 0;
    for (const piece of m.stream(prime.value, opts)) {
      gen.textContent += piece;
      n++;
      if (n % 2 === 0) await tf.nextFrame(); // let the text stream onto the screen
    }
    $('#note').textContent = `${n} tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s on the ${tf.getBackend()} backend.`;
    go.disabled = false;
    state('ready');
  };
}

function classifier(app: HTMLElement, m: SeqnetModel, sample: Sample): void {
  app.innerHTML = `
    <label for="text">Text</label>
    <textarea id="text" rows="3"></textarea>
    <div id="bars" class="bars"></div>`;
  const box = $<HTMLTextAreaElement>('#text');
  box.value = sample.text ?? '';
  const show = () => {
    const r = m.classify(box.value);
    const bars = $('#bars');
    bars.replaceChildren();
    for (const [label, p] of Object.entries(r.probabilities)) {
      const top = label === r.label ? 'top' : '';
      const bar = el('div', { class: `bar ${top}` });
      bar.append(el('i', { style: `width:${(100 * p).toFixed(1)}%` }));
      bars.append(el('span', { class: top }, label), bar, el('span', { class: `num ${top}`, 'data-label': label, 'data-prob': String(p) }, p.toFixed(3)));
    }
    state('ready');
  };
  box.oninput = () => {
    state('busy');
    show();
  };
  show();
}

const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0b7285', '#a61e4d', '#5c940d', '#d9480f', '#1864ab'];

function tagger(app: HTMLElement, m: SeqnetModel, sample: Sample): void {
  app.innerHTML = `
    <label for="text">Sentence</label>
    <input id="text" type="text">
    <div id="tokens" class="tokens"></div>`;
  const box = $<HTMLInputElement>('#text');
  box.value = sample.text ?? '';
  const colour = (tag: string) => PALETTE[Math.max(0, m.meta.tags!.indexOf(tag)) % PALETTE.length];
  const show = () => {
    const r = m.tag(box.value);
    $('#tokens').replaceChildren(
      ...r.tokens.map((w, i) => {
        const c = colour(r.tags[i]);
        const chip = el('span', { class: 'tok', style: `border-color:${c}33;background:${c}0f` });
        chip.append(el('b', {}, w), el('small', { style: `color:${c}` }, r.tags[i]));
        return chip;
      }),
    );
    state('ready');
  };
  box.oninput = show;
  show();
}

function forecaster(app: HTMLElement, m: SeqnetModel, sample: Sample): void {
  const f = m.meta.forecast!;
  const cols = [...new Set([...f.features, ...f.targets])];
  app.innerHTML = `
    <label for="rows">Recent rows (CSV: ${cols.join(', ')}), the last ${f.lookback} are read</label>
    <textarea id="rows" rows="6" spellcheck="false"></textarea>
    <div id="chart"></div>`;
  const box = $<HTMLTextAreaElement>('#rows');
  box.value = [cols.join(','), ...(sample.rows ?? []).map((r) => cols.map((c) => +r[c].toFixed(4)).join(','))].join('\n');
  const show = () => {
    const [head, ...lines] = box.value.trim().split('\n');
    const names = head.split(',').map((s) => s.trim());
    const rows = lines.filter((l) => l.trim()).map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], Number(v)])));
    try {
      // the chart shows the window the model reads, then its forecast
      $('#chart').replaceChildren(forecastView(rows.slice(-f.lookback), m.forecast(rows), f.targets));
      state('ready');
    } catch (e) {
      $('#chart').replaceChildren(el('p', { class: 'muted' }, String((e as Error).message)));
    }
  };
  box.oninput = show;
  show();
}

function translator(app: HTMLElement, m: SeqnetModel, sample: Sample): void {
  const z = m.meta.seq2seq!;
  app.innerHTML = `
    <label for="text">Source</label>
    <input id="text" type="text">
    <p class="translation" id="translation"></p>
    <div id="heatmap"></div>
    <p class="muted">${z.decoding === 'beam' ? `Beam search (${z.beam_size} hypotheses)` : 'Greedy decoding'} · ${z.attention} attention. Each row shows where the model looked in the source while writing that output token.</p>`;
  const box = $<HTMLInputElement>('#text');
  box.value = sample.text ?? '';
  const show = () => {
    if (!box.value.trim()) {
      // nothing to translate: clear the last result rather than leave it beside an empty box
      $('#translation').textContent = '';
      $('#heatmap').replaceChildren();
      return void state('ready');
    }
    const r = m.translate(box.value);
    $('#translation').textContent = r.translation;
    $('#heatmap').replaceChildren(r.attention.length ? attentionView(r.sourceTokens, r.targetTokens, r.attention) : el('p', { class: 'muted' }, 'This model has no attention (model.attention: none).'));
    state('ready');
  };
  box.oninput = () => {
    state('busy');
    show();
  };
  show();
  state('ready');
}

async function main(): Promise<void> {
  const app = $('#app');
  try {
    const sample = JSON.parse($('#sample').textContent || '{}') as Sample;
    // these models are small: the CPU backend is quick and gives the numbers seqnet gives (?backend=webgl to try the GPU)
    await tf.setBackend(new URLSearchParams(location.search).get('backend') ?? 'cpu');
    const m = await load('model/');
    (window as unknown as Record<string, unknown>).seqnetDemo = { model: m, tf };
    app.replaceChildren();
    switch (m.task) {
      case 'language_model':
        return languageModel(app, m, sample), void state('ready');
      case 'classification':
        return classifier(app, m, sample);
      case 'tagging':
        return tagger(app, m, sample);
      case 'forecasting':
        return forecaster(app, m, sample);
      case 'seq2seq':
        return translator(app, m, sample);
      default:
        app.append(unsupportedTask(m.task));
        state('ready');
    }
  } catch (e) {
    app.replaceChildren(el('p', { class: 'muted' }, `Could not load the model: ${(e as Error).message}`));
    state('error');
  }
}

void main();
