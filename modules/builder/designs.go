package builder

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/platform/idempotency"
	"github.com/harnesshero/platform/platform/rpc"
)

var (
	errPermissionDenied = errors.New("builder: only admins list other users' designs")
)

// designService implements DesignService on the store. The owner of every
// read and write is the verified caller from the context, never a field of
// the request.
type designService struct {
	store *store
	now   func() time.Time
}

var _ builderv1connect.DesignServiceHandler = (*designService)(nil)

// price validates and prices a design at quantity 1: the snapshot stored
// with it. A design that breaks a rule never reaches the store.
func price(d *builderv1.Design) (*builderv1.LineQuote, error) {
	line, err := catalog.PriceLine(designToDomain(d), 1)
	if err != nil {
		return nil, err
	}
	return lineToProto(line), nil
}

func (s *designService) CreateDesign(ctx context.Context, req *builderv1.CreateDesignRequest) (*builderv1.CreateDesignResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	ownerID := caller.UserID
	key, err := idempotency.Key(ctx, req)
	if err != nil {
		return nil, err
	}
	hash := idempotency.Hash(req)
	if key != "" {
		if d, err := s.replay(ctx, req, ownerID, key, hash); d != nil || err != nil {
			return &builderv1.CreateDesignResponse{Design: d}, err
		}
	}
	quote, err := price(req.GetDesign())
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	d := savedDesign{
		ID: id.String(), OwnerID: ownerID, Name: req.GetName(),
		Design: req.GetDesign(), Quote: quote, Version: 1,
		CreatedAt: now, UpdatedAt: now,
	}
	var k *keyRow
	if key != "" {
		k = &keyRow{OwnerID: ownerID, Key: key, RequestHash: hash, DesignID: d.ID, CreatedAt: now}
	}
	err = s.store.create(ctx, d, k)
	if errors.Is(err, errKeyTaken) {
		// A concurrent request with the same key won: answer with its design.
		saved, err := s.replay(ctx, req, ownerID, key, hash)
		if err == nil && saved == nil {
			err = errKeyTaken // the winner's key vanished (its owner was deleted)
		}
		return &builderv1.CreateDesignResponse{Design: saved}, err
	}
	if err != nil {
		return nil, err
	}
	return &builderv1.CreateDesignResponse{Design: savedToProto(d)}, nil
}

func (s *designService) GetDesign(ctx context.Context, req *builderv1.GetDesignRequest) (*builderv1.GetDesignResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	ownerID := caller.UserID
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	d, err := s.store.get(ctx, ownerID, id)
	if err != nil {
		return nil, err
	}
	return &builderv1.GetDesignResponse{Design: savedToProto(d)}, nil
}

func (s *designService) ListDesigns(ctx context.Context, req *builderv1.ListDesignsRequest) (*builderv1.ListDesignsResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	ownerID := caller.UserID
	if other := req.GetOwnerId(); other != "" && other != ownerID {
		// Only admins see other users' designs.
		if !caller.IsAdmin() {
			return nil, errPermissionDenied
		}
		if ownerID, err = rpc.ParseID("owner_id", other); err != nil {
			return nil, err
		}
	}
	page, err := rpc.ParsePage(req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	// One extra row tells whether another page follows.
	designs, err := s.store.list(ctx, ownerID, page.After, page.Size+1)
	if err != nil {
		return nil, err
	}
	res := &builderv1.ListDesignsResponse{}
	if len(designs) > page.Size {
		designs = designs[:page.Size]
		res.NextPageToken = rpc.NextToken(designs[page.Size-1].ID)
	}
	for _, d := range designs {
		res.Designs = append(res.Designs, savedToProto(d))
	}
	return res, nil
}

func (s *designService) UpdateDesign(ctx context.Context, req *builderv1.UpdateDesignRequest) (*builderv1.UpdateDesignResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	ownerID := caller.UserID
	quote, err := price(req.GetDesign())
	if err != nil {
		return nil, err
	}
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	d, err := s.store.update(ctx, savedDesign{
		ID: id, OwnerID: ownerID, Name: req.GetName(),
		Design: req.GetDesign(), Quote: quote,
		UpdatedAt: s.now().UTC().Truncate(time.Microsecond),
	}, req.ExpectedVersion)
	if err != nil {
		return nil, err
	}
	return &builderv1.UpdateDesignResponse{Design: savedToProto(d)}, nil
}

func (s *designService) DeleteDesign(ctx context.Context, req *builderv1.DeleteDesignRequest) (*builderv1.DeleteDesignResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, err
	}
	ownerID := caller.UserID
	id, err := rpc.ParseID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	if err := s.store.delete(ctx, ownerID, id); err != nil {
		return nil, err
	}
	return &builderv1.DeleteDesignResponse{}, nil
}
