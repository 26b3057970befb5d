// The custom EventBridge event that drives an upgrade (Slack and scripts send it), and the step payload's marker.
export const upgradeSource = "harbormaster.upgrade";
export const upgradeDetailType = "Cluster Upgrade";
export const upgradeStepMarker = "harbormaster.upgrade.step";
