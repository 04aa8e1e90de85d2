// jic pages: keyboard shortcuts, and the maps and graphs drawn from data the page
// carries in <script type="application/json"> (no inline scripts: see the CSP).
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) {
      const box = document.getElementById("q") || document.getElementById("quick-q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });

  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Natural Earth rings that cross the antimeridian (Russia, Fiji) jump from +180 to
  // -180; drawn flat they would streak across the map, so each ring is unwrapped to run
  // past 180 instead. Antarctica, a ring around the pole, is left out.
  function unwrap(ring) {
    let shift = 0;
    return ring.map(function (point, i) {
      if (i > 0) {
        const step = point[0] - ring[i - 1][0];
        if (step > 180) { shift -= 360; } else if (step < -180) { shift += 360; }
      }
      return [point[0] + shift, point[1]];
    });
  }

  function unwrapGeometry(geometry) {
    if (geometry.type === "Polygon") {
      geometry.coordinates = geometry.coordinates.map(unwrap);
    } else if (geometry.type === "MultiPolygon") {
      geometry.coordinates = geometry.coordinates.map(function (polygon) { return polygon.map(unwrap); });
    }
    return geometry;
  }

  let worldPromise = null;
  function world() {
    if (!worldPromise) {
      worldPromise = fetch("/static/vendor/world-atlas/countries-50m.json")
        .then(function (r) { return r.json(); })
        .then(function (topology) {
          const countries = topojson.feature(topology, topology.objects.countries);
          countries.features = countries.features.filter(function (f) { return f.id !== "010" && f.geometry; });
          countries.features.forEach(function (f) { unwrapGeometry(f.geometry); });
          return countries;
        });
    }
    return worldPromise;
  }

  function drawMap(node) {
    const features = data(node.dataset.source) || { type: "FeatureCollection", features: [] };
    const map = L.map(node, { worldCopyJump: true, keyboard: true, attributionControl: true });
    map.attributionControl.setPrefix("");
    map.attributionControl.addAttribution("Natural Earth (public domain)");
    world().then(function (countries) {
      L.geoJSON(countries, {
        style: { color: "#8a8a8a", weight: 0.6, fillColor: "#f2efe9", fillOpacity: 1 },
        interactive: false,
      }).addTo(map).bringToBack();
      node.dataset.world = "1";
    });
    const layer = L.geoJSON(features, {
      pointToLayer: function (feature, latlng) {
        const n = feature.properties.count || 1;
        return L.circleMarker(latlng, {
          radius: Math.min(4 + Math.sqrt(n) * 3, 28), color: "#b3261e", weight: 1,
          fillColor: "#e4572e", fillOpacity: 0.7,
        });
      },
      onEachFeature: function (feature, marker) {
        const p = feature.properties;
        const box = document.createElement("div");
        const link = document.createElement("a");
        link.href = p.href || "#";
        link.textContent = p.name;
        box.appendChild(link);
        const note = document.createElement("div");
        note.textContent = (p.count || 0) + " mention(s) in " + (p.documents || 0) + " document(s)";
        box.appendChild(note);
        marker.bindPopup(box);
        marker.bindTooltip(p.name);
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3), { maxZoom: 7 }); } else { map.setView([25, 20], 2); }
    node.dataset.ready = "1";
  }

  function drawGraph(node) {
    const elements = data(node.dataset.source) || { nodes: [], edges: [] };
    const graph = cytoscape({
      container: node,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 11, "background-color": "#3b7ddd",
          width: "mapData(weight, 1, 20, 14, 44)", height: "mapData(weight, 1, 20, 14, 44)", "text-valign": "bottom", "text-margin-y": 3 } },
        { selector: "node[type = 'place'], node[type = 'state']", style: { "background-color": "#2e9e44" } },
        { selector: "node[type = 'person']", style: { "background-color": "#8a4fd1" } },
        { selector: "node[type = 'armed_group']", style: { "background-color": "#d14b2f" } },
        { selector: "node[type = 'organ'], node[type = 'igo']", style: { "background-color": "#0b4f8a" } },
        { selector: "edge", style: { width: "mapData(weight, 1, 20, 1, 8)", "line-color": "#aaa", "curve-style": "haystack" } },
        { selector: ":selected", style: { "background-color": "#f0a000", "line-color": "#f0a000" } },
      ],
      layout: { name: elements.nodes.length > 150 ? "grid" : "cose", animate: false, padding: 30 },
      maxZoom: 4,
      minZoom: 0.2,
    });
    if (graph.zoom() > 2) { graph.zoom(2); graph.center(); }  // a small graph, readable labels
    graph.on("tap", "node", function (event) {
      const href = event.target.data("href");
      if (href) { window.location.href = href; }
    });
    node.dataset.ready = "1";
  }

  function start() {
    document.querySelectorAll("[data-map]:not([data-ready])").forEach(drawMap);
    document.querySelectorAll("[data-graph]:not([data-ready])").forEach(drawGraph);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  document.addEventListener("htmx:afterSettle", start);
})();
