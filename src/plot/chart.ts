/**
 * Apache ECharts, server side: an option in, an SVG string out, with no DOM and no browser.
 * Animation and progressive rendering are off, so large heatmaps come out whole.
 */
import * as echarts from 'echarts';

export type ChartOption = echarts.EChartsOption;

export const FONT = 'sans-serif';
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function renderSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      color: COLORS,
      textStyle: { fontFamily: FONT },
      ...option,
      series: (Array.isArray(option.series) ? option.series : option.series ? [option.series] : []).map((s) => ({ progressive: 0, ...s })),
    } as ChartOption);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** A title block: main text and a smaller subtitle, left-aligned. */
export const title = (text: string, subtext?: string): ChartOption['title'] => ({
  text,
  subtext,
  left: 10,
  top: 6,
  textStyle: { fontSize: 15 },
  subtextStyle: { fontSize: 11, color: '#555' },
});

/** A value axis titled with its quantity and unit, the title centred along the axis. */
export function valueAxis(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'value', name, nameLocation: 'middle', nameGap: 42, scale: true, nameTextStyle: { fontSize: 12 }, splitLine: { lineStyle: { color: '#eee' } }, ...extra };
}

/** white → dark blue, the palette of the attention heatmaps */
export const HEAT = ['#ffffff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];

/**
 * Legend under the title, wrapping within the width. ECharts estimates text widths without fonts,
 * and renderers with wider fonts (rsvg's DejaVu Sans) would run entries together: hence the gap.
 */
export const LEGEND = { top: 50, left: 10, right: 10, itemGap: 30, textStyle: { fontSize: 12 } };
