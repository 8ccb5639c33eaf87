"""The report's Jinja2 template, kept as a Python string so it ships inside the package with no package-data setup.

One template serves both outputs: the HTML report gets interactive plotly divs and plotly.js inlined once; the PDF gets
static PNG images and no script. Every number goes through a formatting filter (``tools.report_format``) and every
piece of text through autoescaping.
"""

REPORT_TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Forecast report: {{ d.product }} at store {{ d.store }}</title>
<style>
  @page { size: A4; margin: 14mm 12mm; }
  body { font-family: "DejaVu Sans", Arial, sans-serif; color: #222; max-width: 960px; margin: 0 auto; padding: 0 12px;
         font-size: 13px; line-height: 1.4; }
  h1 { font-size: 22px; margin-bottom: 4px; }
  h2 { font-size: 17px; border-bottom: 1px solid #ccc; padding-bottom: 3px; margin-top: 26px; }
  section { break-inside: auto; }
  table { border-collapse: collapse; margin: 8px 0; }
  th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .muted { color: #666; }
  .chart { break-inside: avoid; margin: 6px 0; }
  .chart img { width: 100%; }
  pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; padding: 6px; font-size: 11px; }
  dl { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; }
  dt { font-weight: bold; }
  dd { margin: 0; }
</style>
{% if plotlyjs %}<script type="text/javascript">{{ plotlyjs }}</script>{% endif %}
</head>
<body>
<h1>Forecast report: {{ d.product }}</h1>
<p class="muted">Merchant {{ d.merchant }} &middot; store {{ d.store }} &middot; generated {{ d.generated_at | moment }}</p>

<section id="scope">
<h2>Question and scope</h2>
<p>{{ d.question }}</p>
<table>
<tr><th>Merchant</th><td>{{ d.merchant }}</td></tr>
<tr><th>Store</th><td>{{ d.store }}</td></tr>
<tr><th>Product</th><td>{{ d.product }}</td></tr>
<tr><th>Forecast weeks</th><td>{{ d.forecast[0].week_start | day }} to {{ d.forecast[-1].week_start | day }}</td></tr>
{% if d.assumptions %}<tr><th>Assumptions</th><td>{{ d.assumptions }}</td></tr>{% endif %}
</table>
</section>

<section id="forecast">
<h2>History and forecast</h2>
<div class="chart">{{ charts.forecast }}</div>
<table>
<thead><tr><th>Week starting</th><th class="num">P10</th><th class="num">P50</th><th class="num">P90</th></tr></thead>
<tbody>
{% for p in d.forecast %}<tr><td>{{ p.week_start | day }}</td><td class="num">{{ p.p10 | units }}</td>
<td class="num">{{ p.p50 | units }}</td><td class="num">{{ p.p90 | units }}</td></tr>
{% endfor %}</tbody>
</table>
<p class="muted">Units per week. P50 is the median forecast; 8 weeks in 10 should fall between P10 and P90.</p>
</section>

<section id="accuracy">
<h2>Backtest accuracy</h2>
{% if d.accuracy %}{% set a = d.accuracy %}
<table>
<tr><th>Protocol</th><td>{{ a.protocol or "n/a" }}</td></tr>
<tr><th>Rows scored</th><td class="num">{{ a.n_rows | count }}</td></tr>
<tr><th>MAPE</th><td class="num">{{ a.mape | pct }}</td></tr>
<tr><th>WAPE</th><td class="num">{{ a.wape | pct }}</td></tr>
<tr><th>P10–P90 coverage (target 80%)</th><td class="num">{{ a.coverage80 | pct }}</td></tr>
</table>
{% else %}<p>No backtest accuracy is available for this forecast.</p>{% endif %}
</section>

<section id="drivers">
<h2>What drives the forecast</h2>
{% if d.explanation %}{% set e = d.explanation %}
<p>Week starting {{ e.week_start | day }}: base {{ e.base | units }} units, forecast {{ e.forecast | units }} units.</p>
<div class="chart">{{ charts.waterfall }}</div>
<table>
<thead><tr><th>Driver</th><th class="num">Contribution (units)</th><th>What it means</th></tr></thead>
<tbody>
{% for s in steps %}<tr><td>{{ s.name }}</td><td class="num">{{ s.text }}</td><td>{{ s.description }}</td></tr>
{% endfor %}</tbody>
</table>
{% for sentence in e.summary %}<p>{{ sentence }}</p>
{% endfor %}
{% else %}<p>No driver explanation is available for this forecast.</p>{% endif %}
</section>

{% if d.whatif %}{% set w = d.whatif %}
<section id="whatif">
<h2>What-if: {{ w.description }}</h2>
<p>Change over the forecast: <strong>{{ w.change_units | signed_units }} units</strong>,
<strong>{{ w.change_revenue | signed_money }}</strong> revenue.</p>
<div class="chart">{{ charts.whatif }}</div>
<table>
<thead><tr><th>Week starting</th><th class="num">Baseline P50</th><th class="num">Baseline P10–P90</th>
<th class="num">Scenario P50</th><th class="num">Scenario P10–P90</th></tr></thead>
<tbody>
{% for b, s in weeks %}<tr><td>{{ b.week_start | day }}</td><td class="num">{{ b.p50 | units }}</td>
<td class="num">{{ b.p10 | units }} – {{ b.p90 | units }}</td><td class="num">{{ s.p50 | units }}</td>
<td class="num">{{ s.p10 | units }} – {{ s.p90 | units }}</td></tr>
{% endfor %}</tbody>
</table>
{% if w.other_brands %}
<table>
<thead><tr><th>Other product</th><th class="num">Change (units)</th></tr></thead>
<tbody>
{% for c in w.other_brands %}<tr><td>{{ c.product }}</td><td class="num">{{ c.change_units | signed_units }}</td></tr>
{% endfor %}</tbody>
</table>
{% endif %}
</section>
{% endif %}

<section id="provenance">
<h2>Where these numbers come from</h2>
{% set p = d.provenance %}
<dl>
<dt>Data</dt><dd>weeks {{ p.data_first_week | day }} to {{ p.data_last_week | day }}</dd>
<dt>Model version</dt><dd>{{ p.model_version }}</dd>
<dt>Trained at</dt><dd>{{ p.trained_at | moment }}</dd>
<dt>Training time</dt><dd>{{ p.train_seconds | seconds }}</dd>
<dt>Device</dt><dd>{{ p.device or "n/a" }}</dd>
<dt>Report generated</dt><dd>{{ d.generated_at | moment }}</dd>
</dl>
{% if p.sql %}<p>SQL statements used:</p>
{% for q in p.sql %}<pre>{{ q }}</pre>
{% endfor %}{% else %}<p>No SQL statements were recorded.</p>{% endif %}
</section>
</body>
</html>
"""
