package egress

// Control runs the dialer's Control hook of c for a connection to address
// (ip:port) dialed for host, as the socket layer would.
func (c *Client) Control(host, address string) error {
	return c.control(host, false)("tcp", address, nil)
}
