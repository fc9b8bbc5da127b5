// The map's offline base layer: the outlines of Vietnam and Cambodia from world-atlas (Natural Earth 1:10m admin-0
// countries, public domain) turned from TopoJSON into GeoJSON with topojson-client, coordinates rounded to 1e-4°
// (about 11 m, far finer than the 1:10m source). Called by scripts/vendor_static.py: node vendor_basemap.js OUT.
"use strict";
const fs = require("fs");
const path = require("path");
const topojson = require(path.join(__dirname, "..", "node_modules", "topojson-client"));
const world = require(path.join(__dirname, "..", "node_modules", "world-atlas", "countries-10m.json"));

const COUNTRIES = new Set(["704", "116"]);  // ISO 3166-1 numeric: Vietnam, Cambodia
const countries = world.objects.countries;
const chosen = topojson.feature(world, {...countries, geometries: countries.geometries.filter(g => COUNTRIES.has(g.id))});
const round = c => typeof c[0] === "number" ? [Math.round(c[0] * 1e4) / 1e4, Math.round(c[1] * 1e4) / 1e4] : c.map(round);
for (const feature of chosen.features) {
  feature.geometry.coordinates = round(feature.geometry.coordinates);
}
if (chosen.features.length !== COUNTRIES.size) {
  throw new Error(`world-atlas: found ${chosen.features.length} of ${COUNTRIES.size} countries`);
}
fs.writeFileSync(process.argv[2], JSON.stringify(chosen) + "\n");
