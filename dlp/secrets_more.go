package dlp

// moreSecretDetectors are credential formats beyond the core set in
// detectors.go: cloud providers and SaaS platforms.
var moreSecretDetectors = []Detector{}
