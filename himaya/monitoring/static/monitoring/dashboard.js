/* The dashboard's chart, drawn from the JSON the page carries; a changed filter shows at once. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    var canvas = document.getElementById("indicator-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var datasets = [{
      label: data.name,
      data: data.series,
      borderColor: "#3182bd",
      backgroundColor: "rgba(49, 130, 189, 0.15)",
      fill: true,
      spanGaps: false,
      tension: 0.2
    }];
    if (data.target !== null) {
      datasets.push({
        label: data.targetLabel,
        data: data.labels.map(function () { return data.target; }),
        borderColor: "#198754",
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false
      });
    }
    var chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: document.documentElement.lang || "ar",
        scales: { x: { reverse: rtl }, y: { beginAtZero: true, position: rtl ? "right" : "left" } },
        plugins: { legend: { rtl: rtl }, tooltip: { rtl: rtl } }
      }
    });
    canvas.dataset.points = String(data.series.filter(function (v) { return v !== null; }).length);
    canvas.dataset.drawn = data.name;
    return chart;
  }
  function sparklines() {
    var source = document.getElementById("spark-data");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var rtl = document.documentElement.dir === "rtl";
    document.querySelectorAll(".monitoring-spark-canvas").forEach(function (canvas) {
      var series = data.series[canvas.dataset.code] || [];
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.labels, datasets: [{ data: series, borderColor: "#3182bd", pointRadius: 0, borderWidth: 1.5 }] },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          events: [],
          scales: { x: { display: false, reverse: rtl }, y: { display: false, beginAtZero: true } },
          plugins: { legend: { display: false }, tooltip: { enabled: false } }
        }
      });
    });
  }
  function autoSubmit() {
    var form = document.getElementById("monitoring-filters");
    if (!form) {
      return;
    }
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.name === "indicator") {
          var dimension = form.querySelector("[name=dimension]");
          var member = form.querySelector("[name=member]");
          if (dimension) { dimension.value = ""; }
          if (member) { member.value = ""; }
        }
        if (select.name === "dimension") {
          var chosen = form.querySelector("[name=member]");
          if (chosen) { chosen.value = ""; }
        }
        form.submit();
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw();
    sparklines();
    autoSubmit();
  });
})();
