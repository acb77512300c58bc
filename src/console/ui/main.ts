/** Browser entry point: styles, then the console mounted on <body>, then the sync loop. */

import "uplot/dist/uPlot.min.css";
import "./console.css";
import { render } from "preact";
import { html } from "./_html.ts";
import { startSync } from "./_sync.ts";
import { App } from "./app.ts";

render(html`<${App} />`, document.getElementById("app") as HTMLElement);
startSync();
