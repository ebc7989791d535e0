package server

// EndStreams ends the platform's open streams as Serve does at shutdown,
// without refusing later ones: for tests of one process among several.
func (p *Platform) EndStreams() {
	p.streams.mu.Lock()
	defer p.streams.mu.Unlock()
	p.streams.endOpen()
}
