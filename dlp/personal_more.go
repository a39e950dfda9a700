package dlp

// morePersonalDetectors are personal-data formats beyond the core set in
// detectors.go.
var morePersonalDetectors = []Detector{}
