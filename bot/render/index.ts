// The renderer: Analysis / incidents / digests → platform-neutral Reply blocks.
export { renderAnalysisReply, renderAnalysisMarkdown, actionsFor, chainLine, type OccurrenceInfo, type RenderOptions } from './render-analysis.ts';
export { renderIncidentList, renderIncident, renderStatusNotice, incidentLine } from './render-incident.ts';
export { renderDigest, orderForDigest } from './render-digest.ts';
export { renderHelp, renderError, safeErrorLine } from './render-help.ts';
