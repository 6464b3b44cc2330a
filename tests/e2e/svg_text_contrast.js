// Contrast of every SVG text in every plotly chart on the page (see tests/e2e/test_accessibility.py).
// Returns one {chart, text, size, colour, background, ratio, need} per text below WCAG 1.4.3.
(() => {
    const parse = s => {
        const m = /rgba?\(([^)]+)\)/.exec(s || '');
        if (!m) return null;
        const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
        return {rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1};
    };
    const over = (fg, bg) => fg.rgb.map((v, i) => v * fg.a + bg[i] * (1 - fg.a));
    const lum = rgb => rgb.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const ratio = (a, b) => { const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
    const hex = rgb => '#' + rgb.map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
    const fillOf = el => {
        const k = getComputedStyle(el);
        const c = parse(k.fill);
        if (!c) return null;
        c.a *= Number(k.fillOpacity || 1) * Number(k.opacity || 1);
        return c;
    };
    const colours = (shape, paperRgb) => {
        const fill = getComputedStyle(shape).fill;
        const pattern = /url\("?#([^")]+)"?\)/.exec(fill);
        const parts = pattern ? [...document.getElementById(pattern[1]).querySelectorAll('rect, path')] : [shape];
        const found = [];
        parts.forEach(s => {
            const k = getComputedStyle(s);
            (pattern ? [parse(k.fill), parse(k.stroke)] : [parse(k.fill)])
                .forEach(c => { if (c && c.a > 0) found.push(over(c, paperRgb)); });
        });
        return found;
    };
    const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const out = [];
    document.querySelectorAll('.js-plotly-plot').forEach((plot, n) => {
        const paper = (parse(getComputedStyle(plot.querySelector('.main-svg')).backgroundColor) || {rgb: [255, 255, 255]});
        const paperRgb = paper.a === 0 ? [255, 255, 255] : paper.rgb;
        const bars = [...plot.querySelectorAll('.bars g.point path')].map(p => ({path: p, box: p.getBoundingClientRect()}));
        const title = (plot.querySelector('.gtitle') || {}).textContent || `chart ${n + 1}`;
        plot.querySelectorAll('text').forEach(t => {
            const text = t.textContent.trim();
            if (!text || t.closest('.hoverlayer')) return;
            const box = t.getBoundingClientRect();
            if (box.width === 0 || getComputedStyle(t).visibility === 'hidden') return;
            const fg = fillOf(t);
            if (!fg) return;
            const backs = [];
            const ann = t.closest('g.annotation');
            const bg = ann && ann.querySelector('rect.bg');
            let base = paperRgb;
            if (bg) { const f = fillOf(bg); if (f && f.a > 0) base = over(f, paperRgb); }
            backs.push(base);
            // Text drawn over a bar (its own label inside it, or a label laid over the data) is read
            // against the bar: against each colour of a hatched bar.
            const opaque = bg && (fillOf(bg) || {a: 0}).a >= 0.9;
            if (!opaque) bars.filter(b => overlaps(box, b.box)).forEach(b => backs.push(...colours(b.path, paperRgb)));
            const size = parseFloat(getComputedStyle(t).fontSize);
            const bold = Number(getComputedStyle(t).fontWeight) >= 700;
            const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
            for (const back of backs) {
                const colour = over(fg, back);
                const r = ratio(colour, back);
                if (r < need) {
                    out.push({chart: title, text: text.slice(0, 60), size, colour: hex(colour), background: hex(back), ratio: Math.round(r * 100) / 100, need});
                    break;
                }
            }
        });
    });
    return out;
})
